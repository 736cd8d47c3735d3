import json

from benchmarks.generation_parsing import compare, generation_answers


def test_generation_answers_are_found_in_a_cache_and_each_parsers_texts_are_compared(tmp_path):
    (tmp_path / "ab").mkdir()
    answer = "**HARD 1**: The plot drags.\nEASY 1: A wonderful film."
    (tmp_path / "ab" / "ab1.json").write_text(json.dumps({"prompt": "Write HARD and EASY texts.", "choices": [], "response": answer}))
    (tmp_path / "ab" / "ab2.json").write_text(json.dumps({"prompt": "Label HARD or EASY?", "choices": ["A", "B"], "response": "A"}))
    answers = generation_answers([tmp_path])
    assert [a["response"] for a in answers] == [answer]

    def only_plain_tags(response, n_hard, n_easy):
        items = [{"tag": "easy", "text": "A wonderful film."}]
        return items, [{"line": "**HARD 1**: The plot drags.", "reason": "unparseable"}]

    result = compare(answers, only_plain_tags, 4, 2)
    assert result["old"]["kept"] == 1 and result["new"]["kept"] == 2 and result["old"]["dropped"] == {"unparseable": 1}
    assert result["only_new"] == [("hard", "The plot drags.")] and result["only_old"] == []
