/** Friendly meeting names, initials and per-person avatar colours. */

const adjectives = ['amber', 'bright', 'calm', 'clever', 'cosy', 'crisp', 'eager', 'gentle', 'golden', 'happy', 'lively', 'lucky', 'mellow', 'misty', 'quiet', 'rapid', 'silver', 'sunny', 'swift', 'velvet', 'vivid', 'witty'];
const nouns = ['otter', 'falcon', 'maple', 'harbor', 'comet', 'meadow', 'fox', 'lagoon', 'pine', 'river', 'summit', 'willow', 'heron', 'canyon', 'orchid', 'badger', 'breeze', 'cedar', 'panda', 'tiger', 'lynx', 'koala'];

function pick<T>(list: readonly T[]): T {
  const value = list[Math.floor(Math.random() * list.length)];
  if (value === undefined) throw new Error('empty list');
  return value;
}

/** e.g. "sunny-otter-482". */
export function randomMeetingName(): string {
  return `${pick(adjectives)}-${pick(nouns)}-${Math.floor(100 + Math.random() * 900)}`;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A stable, pleasant hue per person so avatars are easy to tell apart. */
export function avatarColor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  const hue = Math.abs(hash) % 360;
  return `hsl(${hue} 55% 42%)`;
}

/** The name in a demo ExternalUserId "<random>#<name>" (the Chime SDK demos' convention). */
export function nameFromExternalUserId(externalUserId: string | null | undefined): string {
  if (!externalUserId) return 'Guest';
  const hash = externalUserId.indexOf('#');
  return (hash >= 0 ? externalUserId.slice(hash + 1) : externalUserId) || 'Guest';
}
