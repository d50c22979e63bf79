/** The archive a coordinator config asks for: none, a directory, or an S3 bucket. */
import { fileURLToPath } from "node:url";
import type { Logger } from "../../lib/logger.ts";
import { parseS3Url, s3Client, type S3Credentials } from "../../lib/s3.ts";
import type { Metrics } from "../metrics.ts";
import { TileArchive, type ArchiveStore } from "./archive.ts";
import { DirArchiveStore } from "./archive-dir.ts";
import { S3ArchiveStore } from "./archive-s3.ts";
import type { LogStore } from "./store.ts";

export interface ArchiveSettings {
  tileArchiveDir?: string | undefined;
  archiveUrl?: string | undefined;
  archiveCredentials?: S3Credentials | undefined;
}

export function archiveStoreOf(s: ArchiveSettings, logger: Logger): ArchiveStore | null {
  const url = s.archiveUrl;
  if (!url) return s.tileArchiveDir ? new DirArchiveStore(s.tileArchiveDir) : null;
  if (url.startsWith("s3:")) {
    const loc = parseS3Url(url);
    return new S3ArchiveStore(loc, s3Client(loc, s.archiveCredentials), logger);
  }
  return new DirArchiveStore(url.startsWith("file:") ? fileURLToPath(url) : url);
}

export function openArchive(
  s: ArchiveSettings,
  c: { log: LogStore; logger: Logger; metrics: Metrics | null },
): TileArchive | null {
  const store = archiveStoreOf(s, c.logger);
  return store ? new TileArchive({ store, ...c }) : null;
}
