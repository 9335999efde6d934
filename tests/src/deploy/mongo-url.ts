/** The parts of a `mongodb://` URL (several hosts, which WHATWG URL cannot parse) the deploy checks read. */
export interface MongoUrl {
  username: string;
  password: string;
  hosts: string[];
  params: URLSearchParams;
}

export function parseMongoUrl(url: string): MongoUrl {
  const match = /^mongodb:\/\/(?:([^:@/]+):([^@/]*)@)?([^/?]+)\/?[^?]*(?:\?(.*))?$/.exec(url);
  if (match === null) throw new Error(`not a mongodb:// URL: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  return {
    username: decodeURIComponent(match[1] ?? ''),
    password: decodeURIComponent(match[2] ?? ''),
    hosts: (match[3] ?? '').split(','),
    params: new URLSearchParams(match[4] ?? ''),
  };
}
