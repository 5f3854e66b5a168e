const BEARER = /^Bearer +(\S+) *$/i;

/** The bearer token of a request's `Authorization` header, or `undefined` when there is none. */
export function bearerToken(request: Request): string | undefined {
  return BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
}
