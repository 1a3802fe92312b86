"""De-duplication: which image of each duplicate set to keep (the decision only; no
file is touched here)."""

from __future__ import annotations

from collections.abc import Collection as CollectionABC
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lookalike.analysis._display import html_table, name_of, text_table

__all__ = ["KEEP_POLICIES", "DedupPlan", "plan_dedup"]

KEEP_POLICIES = ("largest", "largest-file", "oldest", "first-path", "list")


def _rank(policy: str, row: dict[str, Any]) -> tuple:
    """Sort key: the smallest key is kept. No input validation."""
    pixels = -((row.get("width") or 0) * (row.get("height") or 0))
    size = -(row.get("bytes") or 0)
    mtime = row.get("mtime")
    oldest = (mtime is None, mtime or 0.0)
    uri = row.get("uri") or ""
    return {
        "largest": (pixels, size, uri),
        "largest-file": (size, pixels, uri),
        "oldest": (*oldest, uri),
        "first-path": (uri,),
        "list": (uri,),
    }[policy]


@dataclass(frozen=True)
class DedupPlan(Sequence[str]):
    """The ids kept after de-duplication (a sequence of ids), and the decisions.

    Attributes
    ----------
    kept : list of str
        Every image id that stays (images in no duplicate set included).
    decisions : list of dict
        One row per image of a duplicate set: group, id, uri, decision ("keep" or
        "remove"), kept_id (the image that stands for it), reason.
    """

    kept: list[str]
    decisions: list[dict[str, Any]]
    policy: str
    moved: list[str] = field(default_factory=list)

    def __getitem__(self, i):  # type: ignore[override]
        return self.kept[i]

    def __len__(self) -> int:
        return len(self.kept)

    def __iter__(self) -> Iterator[str]:
        return iter(self.kept)

    @property
    def removed(self) -> list[str]:
        return [d["id"] for d in self.decisions if d["decision"] == "remove"]

    def to_frame(self):
        """The decisions as a DataFrame (group, id, uri, decision, kept_id, reason)."""
        import pandas as pd

        columns = ["group", "id", "uri", "decision", "kept_id", "reason"]
        return pd.DataFrame(self.decisions, columns=columns)

    def _rows(self) -> list[tuple]:
        return [
            (d["group"], d["decision"], name_of(d.get("uri") or "", d["id"]), d["reason"])
            for d in self.decisions
        ]

    def __repr__(self) -> str:
        return text_table(
            str(self).splitlines()[0],
            ("set", "decision", "image", "why"),
            self._rows(),
            more="decisions",
        )

    def _repr_html_(self) -> str:
        return html_table(
            str(self).splitlines()[0],
            ("set", "decision", "image", "why"),
            self._rows(),
            more="decisions",
            titles=[d.get("uri") or "" for d in self.decisions],
        )

    def __str__(self) -> str:
        n_groups = len({d["group"] for d in self.decisions})
        lines = [
            f"Keep {len(self.kept)} images, remove {len(self.removed)} "
            f"({n_groups} duplicate sets, keep policy {self.policy!r})."
        ]
        lines += [f"  moved {line}" for line in self.moved]
        return "\n".join(lines)


def plan_dedup(
    groups: Sequence[Sequence[str]],
    images: Sequence[dict[str, Any]],
    *,
    keep: str = "largest",
    keep_ids: CollectionABC[str] = (),
) -> DedupPlan:
    """Decide, for each duplicate set, which image stays.

    Parameters
    ----------
    groups : list of list of str
        Duplicate sets of image ids.
    images : list of dict
        Every image (``id``, ``uri``, ``width``, ``height``, ``bytes``, ``mtime``).
    keep : {"largest", "largest-file", "oldest", "first-path", "list"}
        ``largest``: most pixels (then bytes, then path); ``largest-file``: most bytes;
        ``oldest``: earliest modification time; ``first-path``: first path in sort
        order; ``list``: the members named in ``keep_ids`` (all of them), else the
        first path.
    keep_ids : collection of str
        Ids to keep with ``keep="list"``.

    Examples
    --------
    >>> imgs = [dict(id="a", uri="/x/a.jpg", width=10, height=10, bytes=5, mtime=2.0),
    ...         dict(id="b", uri="/x/b.jpg", width=20, height=20, bytes=4, mtime=1.0),
    ...         dict(id="c", uri="/x/c.jpg", width=5, height=5, bytes=1, mtime=3.0)]
    >>> list(plan_dedup([["a", "b"]], imgs, keep="largest"))
    ['b', 'c']
    >>> plan_dedup([["a", "b"]], imgs, keep="first-path").removed
    ['b']
    """
    by_id = {row["id"]: row for row in images}
    wanted = set(keep_ids)
    removed: set[str] = set()
    decisions = []
    for g, members in enumerate(groups, 1):
        rows = [by_id[m] for m in members]
        if keep == "list" and any(m in wanted for m in members):
            keepers = [r for r in rows if r["id"] in wanted]
            reason = "in the keep list"
        else:
            policy = "first-path" if keep == "list" else keep
            keepers = [min(rows, key=lambda r: _rank(policy, r))]
            reason = f"kept by {policy}" + (" (none in the keep list)" if keep == "list" else "")
        keeper_ids = {r["id"] for r in keepers}
        first = keepers[0]["id"]
        for r in sorted(rows, key=lambda r: _rank("first-path", r)):
            stays = r["id"] in keeper_ids
            if not stays:
                removed.add(r["id"])
            decisions.append(
                dict(
                    group=g,
                    id=r["id"],
                    uri=r["uri"],
                    decision="keep" if stays else "remove",
                    kept_id=r["id"] if stays else first,
                    reason=reason if stays else f"duplicate of {first}",
                )
            )
    kept = [row["id"] for row in images if row["id"] not in removed]
    return DedupPlan(kept=kept, decisions=decisions, policy=keep)
