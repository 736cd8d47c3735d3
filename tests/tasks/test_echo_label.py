"""TextCatLabel.v7: v6 that can show each text twice."""
import spacy

from evokd_spacy.registry import registry

nlp = spacy.blank("en")
SIX = {name: f"The question asks for {name.lower()}." for name in ("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM")}
TWO = {"POSITIVE": "A positive opinion.", "NEGATIVE": "A negative opinion."}
SEEDS = [{"text": "Loved it.", "label": "POSITIVE"}, {"text": "Dull.", "label": "NEGATIVE"}]


def task(version, labels, **kwargs):
    made = registry.llm_tasks.get(f"evokd.TextCatLabel.{version}")(labels=labels, description="Decide.", **kwargs)
    made.set_examples(SEEDS if labels is TWO else [{"text": "Who?", "label": "HUM"}])
    return made


def prompt(made, text="What is an ant ?"):
    [p] = made.generate_prompts([nlp(text)])
    return p


def test_by_default_v7_asks_what_v6_asks():
    assert str(prompt(task("v7", SIX))) == str(prompt(task("v6", SIX)))
    assert str(prompt(task("v7", TWO))) == str(prompt(task("v6", TWO)))


def test_with_echo_the_text_and_each_exemplar_are_read_twice_with_the_same_choices():
    echoed, plain = prompt(task("v7", SIX, echo=True)), prompt(task("v6", SIX))
    assert str(echoed) == str(plain).replace("Text: What is an ant ?\n", "Text: What is an ant ?\nRead the text again: What is an ant ?\n")
    assert echoed.choices == plain.choices
    with_exemplars = str(prompt(task("v7", TWO, echo=True)))
    assert "Text: Loved it.\nRead the text again: Loved it.\nAnswer: positive" in with_exemplars
    assert with_exemplars.count("Read the text again") == 3


def test_the_shipped_echo_prompt_is_the_one_the_benchmark_measured():
    from benchmarks.teacher_techniques import ECHO_TEMPLATE

    for labels in (SIX, TWO):
        measured = registry.llm_tasks.get("evokd.TextCatLabel.v6")(labels=labels, description="Decide.", template=ECHO_TEMPLATE)
        measured.set_examples(SEEDS if labels is TWO else [])
        assert str(prompt(task("v7", labels, echo=True))) == str(prompt(measured))


def test_the_template_a_task_reports_is_the_one_its_prompts_come_from():
    made = task("v7", SIX)
    assert "Read the text again" not in made.prompt_template
    made.echo = True  # what `[loop] choose_echo` does when reading twice wins
    assert "Read the text again" in made.prompt_template and "Read the text again" in str(prompt(made))
    assert made.template == task("v6", SIX).template  # the plain template itself is never swapped
