"""The entity-list grammar and the constrained decoder that keeps a model to it (no LLM needed)."""
import json

import pytest

from evokd_spacy.tasks.ner.parse import parse_entities
from evokd_spacy.teachers.constrained import GrammarDecoder
from evokd_spacy.teachers.entity_grammar import EntityListGrammar

TEXT = "Jon Smith flew to Paris on Monday"
LABELS = ["person", "location"]


def entity_list_example(entities):
    """The canonical answer for (text, label) pairs."""
    objects = ", ".join(f'{{"text": "{text}", "label": "{label}"}}' for text, label in entities)
    return f"[{objects}]"


@pytest.fixture
def grammar():
    return EntityListGrammar(TEXT, LABELS, max_entities=2)


@pytest.mark.parametrize(
    "answer",
    [
        "[]",
        entity_list_example([("Jon Smith", "person"), ("Paris", "location")]),
        '[\n  {"text":"Paris","label":"location"}\n]',
        '```json\n[\n    {"text": "Paris", "label": "location"}\n]',
    ],
)
def test_complete_answers_are_accepted_and_parse(grammar, answer):
    state = grammar.feed(grammar.start(), answer)
    assert state is not None and state.done
    assert parse_entities(answer)[1] == "" and isinstance(json.loads(answer[answer.index("["):]), list)


@pytest.mark.parametrize(
    "answer, why",
    [
        ('[{"text": "Jon Smyth', "not a substring of the text"),
        ('[{"text": "Paris", "label": "loc"}', "not a label"),
        ('[{"text": "Paris", "label": "city', "no label starts so"),
        ('[{"text": ""', "empty entity"),
        ('[{"text": " Paris', "entity starts with a space"),
        ('Entities: [', "chatter before the list"),
        ("[]]", "anything after the end"),
        ('[{"text":          "Paris"', "more whitespace than allowed"),
        ("```python\n[", "a fence for another language"),
        ('[{"text": "Paris", "label": "location"}, {"text": "Jon", "label": "person"}, {', "more entities than allowed"),
    ],
)
def test_invalid_continuations_are_refused(grammar, answer, why):
    assert not grammar.accepts(answer), why


def test_an_answer_cut_short_is_closed_after_its_last_complete_entity(grammar):
    first = '[{"text": "Paris", "label": "location"}'
    cuts = [("", "[]"), ("```js", "[]"), ("[", "[]"), ("```json\n[", "```json\n[]"), ('[{"text": "Par', "[]"),
            (first + ', {"text": "Jo', first + "]"), (first, first + "]")]
    for cut, closed in cuts:
        state = grammar.feed(grammar.start(), cut)
        assert grammar.close(cut, state) == closed
        assert parse_entities(closed) == ([{"text": "Paris", "label": "location"}] if "Paris" in closed else [], "")


class PieceTokenizer:
    """A tokenizer whose tokens are whole strings; id 0 is end-of-sequence."""

    all_special_ids = [0]

    def __init__(self, pieces):
        self.pieces = ["</s>"] + pieces

    def decode(self, ids):
        return "".join(self.pieces[i] for i in ids)


def test_the_decoder_keeps_the_best_allowed_token_and_ends_when_complete():
    torch = pytest.importorskip("torch")
    pieces = ['[{"text": "', "Paris", "London", '", "label": "', "location", "city", '"}', "]", "Sure! ", "\ufffd"]
    tokenizer = PieceTokenizer(pieces)
    decoder = GrammarDecoder(tokenizer, EntityListGrammar(TEXT, LABELS), prompt_length=2, eos_ids=[0])
    # The model prefers the wrong token at every step: chatter, a city not in the text, a label
    # not in the set, a broken character. The decoder leaves only what the grammar accepts.
    preference = ["Sure! ", "\ufffd", "London", "city", "]", '[{"text": "', "Paris", '", "label": "', "location", '"}']
    scores_row = torch.tensor([[float(len(preference) - preference.index(p)) if p in preference else -1.0 for p in tokenizer.pieces]])
    ids = [7, 7]  # the prompt
    for _ in range(8):
        masked = decoder(torch.tensor([ids]), scores_row.clone())
        assert int((masked[0] > float("-inf")).sum()) == 1
        ids.append(int(masked[0].argmax()))
        if ids[-1] == 0:
            break
    decoder.sync(ids[2:])
    assert decoder.answer() == '[{"text": "Paris", "label": "location"}]'
    assert ids[-1] == 0, "end-of-sequence once the list is closed"
    assert decoder.is_complete()


def test_an_answer_closed_at_max_entities_is_not_complete():
    grammar = EntityListGrammar(TEXT, LABELS, max_entities=1)
    decoder = GrammarDecoder(PieceTokenizer([]), grammar, prompt_length=0, eos_ids=[0])
    one = '[{"text": "Paris", "label": "location"}'
    assert grammar.feed(grammar.feed(grammar.start(), one), ",") is None, "a second entity is refused"
    decoder.state = grammar.feed(grammar.start(), one + "]")
    assert decoder.state.done and not decoder.is_complete(), "the entities after the cap would be trained as none"
    roomy = GrammarDecoder(PieceTokenizer([]), EntityListGrammar(TEXT, LABELS, max_entities=2), prompt_length=0, eos_ids=[0])
    roomy.state = roomy.grammar.feed(roomy.grammar.start(), one + "]")
    assert roomy.is_complete()


class SentencePieceTokenizer(PieceTokenizer):
    """Llama-style: '▁' marks a space, and decoding drops the space a text starts with."""

    def encode(self, text, add_special_tokens=False):
        return [self.pieces.index("▁" + text)]

    def decode(self, ids):
        return "".join(self.pieces[i] for i in ids).replace("▁", " ").lstrip(" ")


def test_a_sentencepiece_token_keeps_the_space_it_starts_with():
    pieces = ["▁a", '[{"text": "', "New", "▁York", '", "label": "', "location", '"}', "]"]
    decoder = GrammarDecoder(SentencePieceTokenizer(pieces), EntityListGrammar("I love New York", ["location"]), prompt_length=0, eos_ids=[0])
    assert decoder.piece(pieces.index("▁York") + 1) == " York" and decoder.piece(pieces.index("New") + 1) == "New"
    decoder.sync([pieces.index(p) + 1 for p in ('[{"text": "', "New", "▁York", '", "label": "', "location", '"}', "]")])
    assert decoder.answer() == '[{"text": "New York", "label": "location"}]'
