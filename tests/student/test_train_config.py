"""Student training configs: a wrong encoder or an incomplete user .cfg is a ConfigError naming the fix."""
import pytest

from evokd_spacy.errors import ConfigError
from evokd_spacy.student.train import build_config, resolve_encoder
from evokd_spacy.ty import TaskSpec

SPEC = TaskSpec(kind="textcat", description="", labels={"POS": "", "NEG": ""}, exclusive=True)


def test_an_encoder_that_is_neither_a_directory_nor_cached_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\[student\] encoder = '.*no-such-encoder' is neither a local model directory"):
        build_config(SPEC, {"preset": "trf", "encoder": str(tmp_path / "no-such-encoder")}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    with pytest.raises(ConfigError, match=r"has no config.json, so it is not a Hugging Face model directory"):
        resolve_encoder(str(tmp_path))  # spacy-transformers failed on it with a traceback about tiktoken and protobuf
    (tmp_path / "config.json").write_text("{}")
    assert resolve_encoder(str(tmp_path)) == str(tmp_path), "a model directory is taken as it is"


def test_a_cnn_student_does_not_need_an_encoder(tmp_path):
    config = build_config(SPEC, {"preset": "cnn", "encoder": "not/there"}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert config["paths"]["train"] == str(tmp_path / "t.spacy")


def test_a_user_config_without_a_textcat_component_names_what_it_lacks(tmp_path):
    import spacy

    config = spacy.util.load_config_from_str(
        '[paths]\ntrain = null\ndev = null\n[system]\nseed = 0\n[nlp]\nlang = "en"\npipeline = ["textcat_multilabel"]\n'
        '[components]\n[components.textcat_multilabel]\nfactory = "textcat_multilabel"\n'
    )
    path = tmp_path / "mine.cfg"
    config.to_disk(path)
    with pytest.raises(ConfigError, match=r"lacks \[components.textcat\], \[training\]: start from `python -m spacy init config"):
        build_config(SPEC, {"preset": str(path)}, tmp_path / "t.spacy", tmp_path / "d.spacy")


def test_a_wrong_encoder_is_caught_with_the_settings_before_the_run_folder_is_claimed(settings_factory, tmp_path):
    with pytest.raises(ConfigError, match=r"\[student\] encoder"):
        settings_factory(**{"student.preset": "trf", "student.encoder": str(tmp_path / "typo")})
    assert not (tmp_path / "training" / "run.json").exists()
    (tmp_path / "config.json").write_text("{}")
    fixed = settings_factory(**{"student.preset": "trf", "student.encoder": str(tmp_path)})
    assert fixed.student["encoder"] == str(tmp_path)


def test_a_gpu_id_without_a_gpu_is_a_config_error_naming_the_fix(settings_factory, monkeypatch):
    import thinc.util

    monkeypatch.setattr(thinc.util, "gpu_is_available", lambda: False)
    with pytest.raises(ConfigError, match=r"gpu_id = 0 \(--gpu-id\): spaCy sees no GPU .* Train on the CPU with --gpu-id -1"):
        settings_factory(**{"student.gpu_id": 0})


def test_a_config_spacy_cannot_train_is_a_config_error_with_its_message(tmp_path):
    from evokd_spacy.student.train import train_student

    settings = {"preset": "cnn", "overrides": {"components.textcat.model.no_such_argument": 3}}
    with pytest.raises(ConfigError, match=r"spaCy could not train the student .* see .*train.log"):
        train_student(SPEC, settings, tmp_path / "train.spacy", tmp_path / "dev.spacy", tmp_path / "model")
    assert (tmp_path / "model" / "train.log").read_text()


def test_fewer_steps_than_one_evaluation_is_a_config_error(settings_factory):
    with pytest.raises(ConfigError, match=r"\[student\] max_steps = 10 is below eval_frequency = 20: the student would never be scored"):
        settings_factory(**{"student.max_steps": 10, "student.eval_frequency": 20})
    with pytest.raises(ConfigError, match=r"warm_max_steps = 2 is below eval_frequency = 4"):
        settings_factory(**{"student.warm_start": True, "student.warm_max_steps": 2})
    with pytest.raises(ConfigError, match=r"max_steps = 30 is below eval_frequency = 50"):
        settings_factory(**{"student.max_steps": 30, "student.overrides": {"training.eval_frequency": 50}})
    assert settings_factory(**{"student.max_steps": 8, "student.eval_frequency": 4}).student["max_steps"] == 8


def test_a_gpu_id_with_a_torch_built_without_cuda_is_a_config_error_naming_the_fix(settings_factory, monkeypatch):
    import thinc.util

    from evokd_spacy.student import train

    monkeypatch.setattr(thinc.util, "gpu_is_available", lambda: True)
    monkeypatch.setattr(train, "_torch_has_cuda", lambda: False)
    with pytest.raises(ConfigError, match=r"the installed torch has no CUDA .* --gpu-id -1"):
        settings_factory(**{"student.gpu_id": 0, "student.preset": "trf", "student.max_steps": 8})
    assert settings_factory(**{"student.gpu_id": 0}).student["gpu_id"] == 0, "the CNN student needs no torch"


def test_steps_after_the_last_evaluation_are_warned_of_once_and_a_run_so_started_still_loads(settings_factory, capsys):
    for _ in range(2):
        assert settings_factory(**{"student.max_steps": 10, "student.eval_frequency": 4}).student["max_steps"] == 10
    out = capsys.readouterr().out
    assert out.count("max_steps = 10 is not a multiple of eval_frequency = 4") == 1 and "8 or 12 would" in out


def test_a_users_own_training_logger_is_kept_and_a_preset_without_training_names_it(tmp_path):
    import spacy

    from evokd_spacy.student.train import base_config_path

    config = spacy.util.load_config(base_config_path("cnn"), interpolate=False)
    config["training"]["logger"] = {"@loggers": "spacy.ChainLogger.v1", "logger1": {"@loggers": "spacy.ConsoleLogger.v1"}}
    path = tmp_path / "mine.cfg"
    config.to_disk(path)
    built = build_config(SPEC, {"preset": str(path), "progress": True}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert built["training"]["logger"]["@loggers"] == "spacy.ChainLogger.v1"
    shipped = build_config(SPEC, {"preset": "cnn", "progress": True}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert shipped["training"]["logger"] == {"@loggers": "spacy.ConsoleLogger.v3", "progress_bar": "train"}
    del config["training"]
    config.to_disk(path)
    with pytest.raises(ConfigError, match=r"lacks \[training\]"):
        build_config(SPEC, {"preset": str(path)}, tmp_path / "t.spacy", tmp_path / "d.spacy")


def test_an_encoder_named_by_its_hub_id_is_given_as_its_cached_directory(tmp_path, monkeypatch):
    import huggingface_hub.constants

    snapshot = tmp_path / "models--org--encoder" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "models--org--encoder" / "refs").mkdir()
    (tmp_path / "models--org--encoder" / "refs" / "main").write_text("abc123")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    assert resolve_encoder("org/encoder") == str(snapshot)


def test_steps_are_checked_when_no_eval_frequency_is_set():
    from evokd_spacy.student.train import check_steps

    check_steps({"max_steps": 10}, {"training": {"eval_frequency": 0}})  # nothing to warn of, and no division by zero


def test_exclusive_classes_is_set_where_the_architecture_takes_it():
    from spacy.util import registry

    from evokd_spacy.student.train import set_exclusive_classes

    # what `spacy init config -p textcat -o accuracy` gives: the ensemble takes no exclusive_classes
    model = {"@architectures": "spacy.TextCatEnsemble.v2",
             "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                         "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 8, "attrs": ["NORM"], "rows": [100],
                                   "include_static_vectors": False},
                         "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 8, "depth": 1, "window_size": 1,
                                    "maxout_pieces": 2}},
             "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 1, "no_output_layer": False, "length": 64}}
    set_exclusive_classes(model, False)
    assert "exclusive_classes" not in model and model["linear_model"]["exclusive_classes"] is False
    assert "exclusive_classes" not in model["tok2vec"]
    registry.resolve({"model": model}, validate=True)  # it crashed here: unexpected argument 'exclusive_classes'
    bow = {"@architectures": "spacy.TextCatBOW.v3", "ngram_size": 1, "no_output_layer": False, "length": 64}
    set_exclusive_classes(bow, True)
    assert bow["exclusive_classes"] is True
    old = {"@architectures": "spacy.TextCatCNN.v1", "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v1", "pretrained_vectors": None,
           "width": 8, "depth": 1, "embed_size": 100, "window_size": 1, "maxout_pieces": 2, "subword_features": True}}
    set_exclusive_classes(old, True)  # 3.0-era names, found through spacy-legacy
    assert old["exclusive_classes"] is True and "exclusive_classes" not in old["tok2vec"]
    custom = {"@architectures": "my.Unknown.v1", "tok2vec": {"@architectures": "my.Other.v1"}}
    set_exclusive_classes(custom, True)
    assert custom["exclusive_classes"] is True and "exclusive_classes" not in custom["tok2vec"], "only the top block of an unknown one"


def test_the_cnn_preset_loads_in_a_fresh_interpreter():
    import subprocess
    import sys

    code = ("from pathlib import Path; import spacy\nfrom evokd_spacy.student.train import build_config\nfrom evokd_spacy.ty import TaskSpec\n"
            "c = build_config(TaskSpec('textcat', '', {'A': '', 'B': ''}), {'preset': 'cnn'}, Path('t'), Path('d'))\n"
            "spacy.util.load_model_from_config(c, auto_fill=True, validate=True)")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # its listener got exclusive_classes before


def test_student_steps_that_replace_a_users_own_config_are_warned_about(tmp_path, capsys):
    import spacy

    from evokd_spacy.student.train import base_config_path

    config = spacy.util.load_config(base_config_path("cnn"), interpolate=False)
    config["training"]["max_steps"], config["training"]["eval_frequency"] = 300, 100
    path = tmp_path / "mine.cfg"
    config.to_disk(path)
    built = build_config(SPEC, {"preset": str(path), "max_steps": 60, "eval_frequency": 20}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    said = " ".join(capsys.readouterr().out.split())
    assert built["training"]["max_steps"] == 60 and "[student] max_steps = 60 replaces max_steps = 300 of your training config" in said
    assert "give --student.max_steps 0 to keep the config's" in said and "eval_frequency = 20 replaces eval_frequency = 100" in said
    kept = build_config(SPEC, {"preset": str(path), "max_steps": 0, "eval_frequency": 0}, tmp_path / "t.spacy", tmp_path / "d.spacy")
    assert (kept["training"]["max_steps"], kept["training"]["eval_frequency"]) == (300, 100)
