import type { DeliverySettings, Topology } from '../../shared/platform/events/topology.js';

/**
 * The messaging topology in the shape `infra/bicep/messaging-topology.json` holds it, which is the
 * shape the Bicep module passes straight to Service Bus: ISO 8601 durations, the property names of
 * the Microsoft.ServiceBus resource types.
 */
export function isoDuration(totalSeconds: number): string {
  if (!Number.isInteger(totalSeconds) || totalSeconds <= 0)
    throw new Error(`A duration must be a positive whole number of seconds; got ${totalSeconds}.`);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

function delivery(settings: DeliverySettings) {
  return {
    maxDeliveryCount: settings.maxDeliveryCount,
    lockDuration: isoDuration(settings.lockDurationSeconds),
    defaultMessageTimeToLive: isoDuration(settings.defaultMessageTimeToLiveSeconds),
    deadLetteringOnMessageExpiration: settings.deadLetteringOnMessageExpiration,
  };
}

export function topologyAsBicepJson(topology: Topology) {
  return {
    topics: topology.topics.map((topic) => ({
      name: topic.name,
      duplicateDetectionHistoryTimeWindow: isoDuration(topic.duplicateDetectionWindowSeconds),
      subscriptions: topic.subscriptions.map((sub) => ({
        name: sub.name,
        ...delivery(sub),
        subjects: sub.subjects ? [...sub.subjects] : [],
      })),
    })),
    queues: topology.queues.map((queue) => ({
      name: queue.name,
      ...delivery(queue),
      duplicateDetectionHistoryTimeWindow: isoDuration(queue.duplicateDetectionWindowSeconds),
    })),
  };
}
