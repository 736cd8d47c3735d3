"""What a served teacher's requests leave out: the local model's generation settings, and the
settings a server refused as ones its model does not take (reasoning models refuse `temperature`
and want `max_completion_tokens` for `max_tokens`)."""
import threading
from typing import Any, Dict, Set

from wasabi import msg


# generation settings of the local model (transformers' generate), which the shipped configs set in
# [teacher.model.config]: a server ignores them at best (OpenAI refuses the request)
LOCAL_ONLY_KEYS = ("max_new_tokens", "do_sample")


def without_local_settings(config: Dict[str, Any]) -> Dict[str, Any]:
    """The request settings without the local model's, with one warning naming them and their
    server equivalents (left in the config, so the cache keys of a run started with them hold)."""
    local = [key for key in LOCAL_ONLY_KEYS if key in config]
    if local:
        msg.warn(f"[teacher.model.config] sets {', '.join(local)}, settings of the local teacher (evokd.LocalHF) that a "
                 "server does not take; they are left out of its requests. Set max_tokens and temperature there instead.")
    return {key: value for key, value in config.items() if key not in LOCAL_ONLY_KEYS}


class LeftOutSettings:
    """The request settings a server refused as unsupported by its model, left out of every later
    request (a refused `max_tokens` is sent as `max_completion_tokens`)."""

    def __init__(self) -> None:
        self.settings: Set[str] = set()
        self._lock = threading.Lock()

    def add(self, setting: str, teacher: str) -> None:
        """Leave `setting` out from now on, with one warning. A request built before that (sent
        concurrently) may be refused for it again: it is sent again without it."""
        with self._lock:
            if setting in self.settings:
                return
            self.settings.add(setting)
        instead = " (max_completion_tokens is sent instead)" if setting == "max_tokens" else ""
        msg.warn(f"{teacher} does not take `{setting}`; it is left out of its requests from now on{instead}.")

    def applied(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """`body` without the settings left out."""
        kept = {key: value for key, value in body.items() if key not in self.settings}
        if "max_tokens" in self.settings and "max_tokens" in body and "max_completion_tokens" not in self.settings:
            kept["max_completion_tokens"] = body["max_tokens"]
        return kept
