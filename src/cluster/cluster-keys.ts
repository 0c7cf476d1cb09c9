// Names of everything the nodes of one deployment share in Redis, derived from queue.name so that
// two deployments (or two tests) on one Redis never meet.

export interface ClusterKeys {
  /** BullMQ queue holding one long-running "watch" job per streamable camera (job id = camera id). */
  watchQueue: string;
  /** Sorted set: ingest node id → last heartbeat (epoch ms). */
  nodes: string;
  /** Stream of watch start/stop records (watch-coverage.ts reads them). */
  watchLog: string;
  /** Pub/sub channel: a camera id whose registry row changed. */
  cameraChanges: string;
}

export function clusterKeys(queueName: string): ClusterKeys {
  return {
    watchQueue: `${queueName}-watch`,
    nodes: `mt:${queueName}:nodes`,
    watchLog: `mt:${queueName}:watch-log`,
    cameraChanges: `mt:${queueName}:camera-changes`,
  };
}
