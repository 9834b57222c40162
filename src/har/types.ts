// HAR 1.2 as ReadMe Metrics ingests it (contract, section 2).
export interface NameValue {
  name: string;
  value: string;
}

/** HAR 1.2 cookie: request cookies have name and value only. */
export interface HarCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface PostDataParam {
  name: string;
  value?: string;
  fileName?: string;
  contentType?: string;
}

export interface PostData {
  mimeType: string;
  text?: string;
  params?: PostDataParam[];
  encoding?: 'base64';
  comment?: string;
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  headers: NameValue[];
  queryString: NameValue[];
  postData?: PostData;
  cookies: HarCookie[];
  headersSize: number;
  bodySize: number;
}

export interface HarContent {
  text: string;
  size: number;
  mimeType: string;
  encoding?: 'base64';
  comment?: string;
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: NameValue[];
  content: HarContent;
  redirectURL: string;
  cookies: HarCookie[];
  headersSize: number;
  bodySize: number;
}

export interface HarEntry {
  pageref: string;
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: { wait: number; receive: number };
  comment?: string;
}

export interface LogGroup {
  id: string;
  label?: string;
  email?: string;
}

export interface MetricsLog {
  _id: string;
  _version: 3;
  group: LogGroup;
  clientIPAddress: string;
  development: boolean;
  request: {
    log: {
      version: '1.2';
      creator: { name: string; version: string; comment: string };
      entries: HarEntry[];
    };
  };
}
