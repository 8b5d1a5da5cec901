// Who publishes on the public site and where it lives. Absolute URLs are built from a base: the configured
// public base URL when there is one, otherwise the origin of the request being answered.
export interface PublicSiteOptions {
  /** The government in whose name releases appear (page subtitle, feed titles). */
  authority: string;
  /** The office that runs the platform (CAP senderName, feed author). */
  publisher: string;
  /** The area a release covers when its incident has no location (CAP areaDesc). */
  defaultArea: string;
  /** e.g. https://www.example.gov.cn; unset: the request's origin. */
  baseUrl: string | null;
  /** Releases listed on /public and in each feed, newest first. */
  listLimit: number;
  feedLimit: number;
}

export const DEFAULT_SITE: PublicSiteOptions = {
  authority: '市人民政府',
  publisher: '市人民政府新闻办公室',
  defaultArea: '全市',
  baseUrl: null,
  listLimit: 200,
  feedLimit: 50,
};

/** The absolute URLs of the public site under one base (no trailing slash). */
export class SiteUrls {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }
  get host(): string {
    return new URL(this.base).hostname;
  }
  index(): string {
    return `${this.base}/public`;
  }
  release(id: number): string {
    return `${this.base}/public/releases/${id}`;
  }
  cap(id: number): string {
    return `${this.base}/public/releases/${id}/cap.xml`;
  }
  rss(): string {
    return `${this.base}/public/feed.rss`;
  }
  atom(): string {
    return `${this.base}/public/feed.atom`;
  }
  capIndex(): string {
    return `${this.base}/public/cap.atom`;
  }
}
