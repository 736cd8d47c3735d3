"""The grammar of an entity-list answer, checked one character at a time.

An answer is a JSON list of `{"text": "<entity>", "label": "<label>"}` objects, where the entity
is a non-empty substring of the source text (without quotes or backslashes, so it needs no JSON
escaping) and the label is one of the label set. A little whitespace (at most eight characters) is
allowed between JSON tokens, and the list may open a Markdown code fence (```json), the way
instruct models like to answer: forcing their first token away from it costs them accuracy. `EntityListGrammar.feed` says whether a character may come next;
a constrained decoder keeps the model to prefixes this grammar accepts, so every answer parses,
uses only known labels and names only strings that occur in the text.
A change to what the grammar accepts must bump `EntityListPrompt.decoding` (the cache key).
"""
from dataclasses import dataclass, replace
from typing import Sequence, Tuple, Union

# The program: literals, whitespace, the two slots, and the two places where a choice is made.
WS, SUBSTRING, LABEL, OPEN_OR_END, NEXT_OR_END = "ws", "substring", "label", "open_or_end", "next_or_end"
FENCE = "fence"  # an optional "```json\n" before the list
FENCE_TEXT = "```json\n"
_PROGRAM: Tuple[Union[str, Tuple[str]], ...] = (
    FENCE, ("[",), WS, OPEN_OR_END,  # '[' then ']' (no entities) or '{'
    WS, ('"text"',), WS, (":",), WS, ('"',), SUBSTRING,
    WS, (",",), WS, ('"label"',), WS, (":",), WS, ('"',), LABEL,
    WS, ("}",), WS, NEXT_OR_END, WS, ("{",),
)
_AFTER_OPEN = _PROGRAM.index(OPEN_OR_END) + 1  # the item after an object's '{'
_LIST_OPEN = _PROGRAM.index(("[",))
_MAX_WS = 8


@dataclass(frozen=True)
class GrammarState:
    """Where in the program the answer is; immutable, so candidates are checked on copies."""

    pos: int = 0
    offset: int = 0  # characters of the current literal already matched
    buffer: str = ""  # the slot being filled
    spaces: int = 0
    entities: int = 0
    last_complete: int = 0  # characters up to the end of the last complete object (or the '[')
    length: int = 0
    done: bool = False


class EntityListGrammar:
    """Accepts the prefixes of valid entity-list answers for one source text and label set."""

    def __init__(self, source: str, labels: Sequence[str], max_entities: int = 20, max_entity_chars: int = 80) -> None:
        self.source = source
        self.labels = list(labels)
        self.max_entities = max_entities
        self.max_entity_chars = max_entity_chars

    def start(self) -> GrammarState:
        """The state before any output."""
        return GrammarState()

    def feed(self, state: GrammarState, text: str) -> Union[GrammarState, None]:
        """The state after `text`, or None if `text` cannot continue a valid answer from `state`."""
        for char in text:
            state = self._feed_char(state, char)
            if state is None:
                return None
        return state

    def accepts(self, text: str) -> bool:
        """Whether `text` is a prefix of some valid answer."""
        return self.feed(self.start(), text) is not None

    def close(self, text: str, state: GrammarState) -> str:
        """`text` cut after its last complete entity object and closed with ']': valid JSON
        for an answer that ran out of tokens (the answer itself when it is complete)."""
        if state.done:
            return text
        if state.pos <= _LIST_OPEN:
            return "[]"
        return text[: state.last_complete].rstrip().rstrip(",") + "]"

    def _feed_char(self, state: GrammarState, char: str) -> Union[GrammarState, None]:
        if state.done:
            return None
        state = replace(state, length=state.length + 1)
        while True:
            item = _PROGRAM[state.pos]
            if item == WS:
                if char in " \n" and state.spaces < _MAX_WS:
                    return replace(state, spaces=state.spaces + 1)
                state = replace(state, pos=state.pos + 1, spaces=0)
                continue
            if item == FENCE:
                if state.offset == 0 and char != FENCE_TEXT[0]:
                    state = replace(state, pos=state.pos + 1)
                    continue
                return self._literal(state, FENCE_TEXT, char)
            if isinstance(item, tuple):
                return self._literal(state, item[0], char)
            if item == OPEN_OR_END:
                return self._open_or_end(state, char, first=True)
            if item == NEXT_OR_END:
                return self._open_or_end(state, char, first=False)
            return self._slot(state, item, char)

    def _literal(self, state: GrammarState, literal: str, char: str) -> Union[GrammarState, None]:
        if char != literal[state.offset]:
            return None
        if state.offset + 1 < len(literal):
            return replace(state, offset=state.offset + 1)
        state = replace(state, pos=state.pos + 1, offset=0)
        if literal in ("[", "}"):
            state = replace(state, entities=state.entities + (literal == "}"), last_complete=state.length)
        if state.pos == len(_PROGRAM):  # after the '{' of a following object
            state = replace(state, pos=_AFTER_OPEN)
        return state

    def _open_or_end(self, state: GrammarState, char: str, first: bool) -> Union[GrammarState, None]:
        if char == "]":
            return replace(state, done=True, last_complete=state.length)
        if first and char == "{":
            return replace(state, pos=_AFTER_OPEN)
        if not first and char == "," and state.entities < self.max_entities:
            return replace(state, pos=state.pos + 1)
        return None

    def _slot(self, state: GrammarState, slot: str, char: str) -> Union[GrammarState, None]:
        if char == '"':
            complete = bool(state.buffer) if slot == SUBSTRING else state.buffer in self.labels
            return replace(state, pos=state.pos + 1, buffer="") if complete else None
        grown = state.buffer + char
        if slot == SUBSTRING:
            fits = char not in '\\\n' and not (not state.buffer and char.isspace()) and len(grown) <= self.max_entity_chars
            return replace(state, buffer=grown) if fits and grown in self.source else None
        return replace(state, buffer=grown) if any(label.startswith(grown) for label in self.labels) else None
