// The time zones a customer can choose: the browser's IANA list, narrowed by what was typed.

// Intl knows every IANA zone in any browser this app supports; the short list is for an engine
// without supportedValuesOf (the server accepts any IANA name either way).
const FALLBACK = ["UTC", "Europe/London", "Europe/Dublin", "Europe/Paris", "America/New_York", "Asia/Tokyo"];

export function allZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : FALLBACK;
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

// Zones whose name has every typed word ("new york", "york", "europe lon"), spaces and
// underscores alike; the selected zone stays in the list so the select can still show it.
export function matchingZones(search: string, selected: string, zones: string[] = allZones()): string[] {
  const words = search.toLowerCase().replaceAll("_", " ").split(/[\s/]+/).filter(Boolean);
  const found = zones.filter((zone) => {
    const name = zone.toLowerCase().replaceAll("_", " ");
    return words.every((word) => name.includes(word));
  });
  if (selected && !found.includes(selected)) found.unshift(selected);
  return found;
}
