/** Geo-velocity: how fast a user or agent would have travelled since the last place it was seen. */
import type { Facts } from "../../rules/index.ts";

export interface TravelFeatures {
  distance_km: number;
  hours: number;
  /** Distance over time, with time floored at one minute. */
  speed_kmh: number;
  from_country?: string;
}

interface Fix {
  time: number;
  lat: number;
  lon: number;
  country?: string;
}

const EARTH_KM = 6371.0088;
const MAX_SUBJECTS = 500_000;

export class Travel {
  readonly #last = new Map<string, Fix>();

  features(f: Facts): TravelFeatures | undefined {
    const geo = f.geo as { lat: number; lon: number } | undefined;
    const prev = geo && this.#last.get(keyOf(f));
    if (!geo || !prev) return undefined;
    const km = haversineKm(prev.lat, prev.lon, geo.lat, geo.lon);
    const hours = Math.abs((f.time as number) - prev.time) / 3_600_000;
    const out: TravelFeatures = {
      distance_km: Math.round(km),
      hours: Math.round(hours * 1000) / 1000,
      speed_kmh: Math.round(km / Math.max(hours, 1 / 60)),
    };
    if (prev.country) out.from_country = prev.country;
    return out;
  }

  observe(f: Facts): void {
    const geo = f.geo as { lat: number; lon: number; country_code?: string } | undefined;
    if (!geo) return;
    const key = keyOf(f);
    const prev = this.#last.get(key);
    if (prev && prev.time > (f.time as number)) return;
    if (!prev && this.#last.size >= MAX_SUBJECTS) this.#last.delete(this.#last.keys().next().value!);
    const fix: Fix = { time: f.time as number, lat: geo.lat, lon: geo.lon };
    if (geo.country_code) fix.country = geo.country_code;
    this.#last.set(key, fix);
  }
}

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function keyOf(f: Facts): string {
  return `${f.tenant_id as string}\u0000${f.subject as string}`;
}
