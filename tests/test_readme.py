"""The teacher configs in README.md work as pasted: each block validates against its registered
function, and our own models are built (spacy-llm's hosted models call their API when built, so
for those the signature check is as far as an offline test can go)."""
import re

import pytest
from confection import Config

from tests.conftest import ROOT

ALL_BLOCKS = re.findall(r"```ini\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf8"), re.S)
BLOCKS = [b for b in ALL_BLOCKS if "[teacher.model]" in b]
STRATEGY_BLOCKS = [b for b in ALL_BLOCKS if "[pool.strategy]" in b]
TASK_BLOCKS = [b for b in ALL_BLOCKS if "[teacher.label]" in b]


def test_readme_has_teacher_configs():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("block", BLOCKS, ids=[re.search(r"@llm_models = \"([^\"]+)\"", b).group(1) for b in BLOCKS])
def test_readme_teacher_config_validates(block):
    import spacy_llm  # noqa: F401  (registers spacy-llm's models)
    from spacy.util import registry

    import evokd_spacy.registry  # noqa: F401

    config = Config().from_str("[teacher]\n" + block)  # blocks replace [teacher.model] in a run config
    filled = registry.fill({"teacher": config["teacher"]}, validate=True)
    name = filled["teacher"]["model"]["@llm_models"]
    if name.startswith("evokd."):
        model = registry.resolve({"teacher": config["teacher"]})["teacher"]["model"]
        assert callable(model)


def test_readme_pool_strategy_config_resolves():
    from evokd_spacy.pool.strategies import resolve_strategy

    assert STRATEGY_BLOCKS
    for block in STRATEGY_BLOCKS:
        config = Config().from_str("[pool]\n" + block)
        assert resolve_strategy(config["pool"]["strategy"]).name


def test_readme_label_task_config_resolves():
    from spacy.util import registry

    import evokd_spacy.registry  # noqa: F401

    assert TASK_BLOCKS
    for block in TASK_BLOCKS:
        task = registry.resolve({"teacher": Config().from_str("[teacher]\n" + block)["teacher"]})["teacher"]["label"]
        assert hasattr(task, "generate_prompts")


def test_readme_loop_blocks_are_valid_run_settings():
    from evokd_spacy.loop.settings import check_settings, load_config

    loop_blocks = [b for b in ALL_BLOCKS if "[loop]" in b]
    assert loop_blocks
    for block in loop_blocks:
        config = load_config(ROOT / "configs" / "evokd.cfg")
        pasted = Config().from_str(("[teacher]\n" if "[teacher." in block else "") + block)
        for section, values in pasted.items():
            if section == "teacher":
                config["teacher"].update(values)
            else:
                config[section].update(values)
        settings = check_settings(config)
        assert all(settings.loop[key] == value for key, value in pasted.get("loop", {}).items())


def test_readme_project_commands_name_real_commands_and_vars_after_the_project_folder():
    import re

    import srsly

    project = srsly.read_yaml(ROOT / "project.yml")
    names = {c["name"] for c in project["commands"]} | set(project["workflows"])
    text = re.sub(r"\\\n\s*", " ", (ROOT / "README.md").read_text(encoding="utf8"))  # join continued lines
    commands = [m.group(1).split("#")[0].split() for m in re.finditer(r"^(?:.*&& )?python -m spacy project run (.*)$", text, re.M)]
    assert len(commands) >= 4
    for args in commands:
        name = args[0]
        assert name in names, f"README runs {name!r}, which project.yml does not define"
        given = [a.split("=")[0][len("--vars."):] for a in args if a.startswith("--vars.")]
        if given:
            assert len(args) > 1 and not args[1].startswith("--"), f"spacy project run {name} needs the project folder (.) before --vars"
        assert set(given) <= set(project["vars"]), f"unknown vars in README: {set(given) - set(project['vars'])}"
