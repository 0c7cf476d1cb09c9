// How many cameras one ingest node should watch: an even share of the cameras among the live
// nodes, never above the node's cap. Pure, so the rebalancing rule is unit-tested.

/** The most cameras this node should hold: ceil(total / live nodes), capped. */
export function fairShare(totalCameras: number, liveNodes: number, cap: number): number {
  const nodes = Math.max(1, liveNodes);
  return Math.min(cap, Math.ceil(Math.max(0, totalCameras) / nodes));
}

/** How many cameras to hand back now (0 when at or below the share). */
export function excessOver(held: number, share: number): number {
  return Math.max(0, held - share);
}
