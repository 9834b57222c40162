import { DEFAULT_PORT } from './serve';

export const MAIN_HELP = `Usage: readme-metrics <command> [options]

Commands:
  dev [options] -- <command...>   run your app with the SDK preloaded and watch its API logs
                                  in a local dashboard (no ReadMe account needed)
  inspect [options]               start the local collector and dashboard alone, and print the
                                  environment that points an app at it
  check [args]                    check the SDK's setup in this project

Options:
  -h, --help      show help (also: readme-metrics <command> --help)
  -v, --version   print the version

Preload it yourself in production:
  README_API_KEY=rdme_xxx node --require readme-metrics/register server.js
`;

const SHARED = `  --port <n>          dashboard and collector port (default ${DEFAULT_PORT}; if it is taken,
                      a free port is used and printed)
  --store <file>      also keep logs in <file> (JSON lines), so a restart keeps history;
                      the file is compacted to stay bounded
  --max-entries <n>   logs kept (default 5000; the oldest go first)
  --openapi <file>    your OpenAPI 3.x / Swagger 2 definition, for the Coverage view (default:
                      README_OPENAPI, openapi in the config file, or openapi.json, openapi.yaml,
                      openapi.yml, swagger.json in this directory)
  -h, --help          show this help`;

export const DEV_HELP = `Usage: readme-metrics dev [options] -- <command> [args...]

Starts a local collector and dashboard on 127.0.0.1, then runs <command> with readme-metrics
preloaded (NODE_OPTIONS gets --require <this package's register.js>) and pointed at it. Every
request your app serves shows up live in the dashboard; each response carries an
x-documentation-url header that opens its log there. Signals (Ctrl-C) go to your command, and
readme-metrics exits with its exit code.

Options:
${SHARED}
  --quiet             do not print a line per request

Environment given to <command>:
  NODE_OPTIONS               yours, plus --require <register.js>
  README_METRICS_SERVER      the local collector
  README_BASE_LOG_URL        the dashboard (for x-documentation-url)
  README_API_URL             the dashboard too: the project lookup answers a webhook secret for
                             this session (yours, README_WEBHOOK_SECRET, still wins)
  README_API_KEY             a random token for this session, which the collector requires;
                             your own ReadMe key is never passed on (logs stay on this machine)
  README_DEVELOPMENT_MODE=true  README_BUFFER_LENGTH=1  README_FLUSH_INTERVAL=100

Examples:
  readme-metrics dev -- node server.js
  readme-metrics dev --port 9000 --store .readme-metrics/logs.jsonl -- npm start
`;

export const INSPECT_HELP = `Usage: readme-metrics inspect [options]

Starts the local collector and dashboard on 127.0.0.1 and prints the environment variables that
point an app at it, for apps you start some other way (a container, an IDE, a process manager).
README_API_KEY is a random token for this session, which the collector requires: restart the app
with the new values after restarting inspect. Runs until Ctrl-C.

Options:
${SHARED}
`;
