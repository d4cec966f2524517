"""The audit Merkle tree read from the database, for pymerkle's root and inclusion-proof algorithms.

pymerkle (RFC 9162 hashing, the same as ``audit.hashing``) asks for leaf hashes by range; the roots of
large perfect subtrees are kept in ``AuditTreeNode`` once computed, so a root or a proof reads
O(log n) stored nodes and at most ``STORED_WIDTH`` leaves per level instead of the whole tree.
"""

from pymerkle import BaseMerkleTree

from sscard.audit.hashing import node_hash
from sscard.audit.models import AuditLeaf, AuditTreeNode

STORED_WIDTH = 256  # perfect subtrees of at least this many leaves are stored once complete


class AuditTree(BaseMerkleTree):
    """The tree of the ``AuditLeaf`` rows.  ``store_nodes=False`` (the verifier's and a proof checker's
    choice) computes from the leaves alone and writes nothing."""

    def __init__(self, *, store_nodes: bool = True) -> None:
        self.store_nodes = store_nodes
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._new_nodes: list[AuditTreeNode] = []
        super().__init__("sha256")  # subroots are cached here, not in pymerkle's LRU (see _get_subroot)

    # ---------------------------------------------------------------- pymerkle's storage interface
    def _encode_entry(self, data):
        return bytes(data)

    def _store_leaf(self, data, digest):
        raise NotImplementedError("the sequencer appends leaves in bulk (audit.sequencer)")

    def _get_leaf(self, index):  # pymerkle counts from one
        return bytes(AuditLeaf.objects.values_list("digest", flat=True).get(index=index - 1))

    def _get_leaves(self, offset, width):
        rows = AuditLeaf.objects.filter(index__gte=offset, index__lt=offset + width).order_by("index")
        digests = [bytes(d) for d in rows.values_list("digest", flat=True)]
        if len(digests) != width:
            raise ValueError(f"audit tree: leaves {offset}..{offset + width - 1} incomplete ({len(digests)})")
        return digests

    def _get_size(self):
        last = AuditLeaf.objects.order_by("-index").values_list("index", flat=True).first()
        return 0 if last is None else last + 1

    # ---------------------------------------------------------------- stored subtree roots
    def _get_subroot(self, offset, width):
        if width < STORED_WIDTH or not self.store_nodes:
            return self._get_subroot_uncached(offset, width)
        key = (offset, width)
        if key not in self._nodes:
            stored = AuditTreeNode.objects.filter(offset=offset, width=width).values_list("digest", flat=True).first()
            if stored is not None:
                self._nodes[key] = bytes(stored)
            else:
                half = width // 2
                left = self._get_subroot(offset, half) if half >= STORED_WIDTH else \
                    self._get_subroot_uncached(offset, half)
                right = self._get_subroot(offset + half, half) if half >= STORED_WIDTH else \
                    self._get_subroot_uncached(offset + half, half)
                self._nodes[key] = node_hash(left, right)
                self._new_nodes.append(AuditTreeNode(offset=offset, width=width, digest=self._nodes[key]))
        return self._nodes[key]

    def save_new_nodes(self) -> None:
        """Store the subtree roots computed since the last call (the sequencer calls this in its
        transaction; they are complete subtrees, so they never change)."""
        if self._new_nodes:
            AuditTreeNode.objects.bulk_create(self._new_nodes, ignore_conflicts=True)
            self._new_nodes = []
