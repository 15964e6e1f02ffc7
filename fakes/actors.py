"""Who wrote a change: the change log's answer to "was this the bad run, a sync or a person?"."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Actor", "ActorKind"]


class ActorKind(StrEnum):
    AUTOMATION = "automation"
    SYNC = "sync"
    PERSON = "person"
    REPAIR = "repair"


@dataclass(frozen=True)
class Actor:
    """An actor writes under a run id and batch id so a scope can be taken from the run."""

    kind: ActorKind
    name: str
    run_id: str | None = None
    batch_id: str | None = None

    @classmethod
    def automation(cls, name: str, run_id: str, batch_id: str | None = None) -> Actor:
        return cls(ActorKind.AUTOMATION, name, run_id, batch_id)

    @classmethod
    def sync(cls, name: str) -> Actor:
        return cls(ActorKind.SYNC, name)

    @classmethod
    def person(cls, name: str) -> Actor:
        return cls(ActorKind.PERSON, name)

    @classmethod
    def repair(cls, name: str, run_id: str | None = None, batch_id: str | None = None) -> Actor:
        return cls(ActorKind.REPAIR, name, run_id, batch_id)

    def in_batch(self, batch_id: str) -> Actor:
        return Actor(self.kind, self.name, self.run_id, batch_id)
