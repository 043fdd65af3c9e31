// The shapes of CircleCI's answers that Carbon reads, checked before anything reads them: an answer
// of another shape (a name that is a number, a schedule without its timetable), from an API that
// changed or a proxy in between, is reported as CircleCI's answer, naming the field (exit 2),
// instead of failing later in Carbon as if it were a bug. Fields Carbon does not read are not
// checked, and an optional field may be absent or null.

/** A problem with a value at `path` ("items[0].name: 5 is not a string"), or undefined. */
export type Shape = (value: unknown, path: string) => string | undefined;

const at = (path: string, what: string) => (path === '' ? what : `${path}: ${what}`);
/** What is wrong with a value that is not `what`: absent, or another thing. */
const not = (value: unknown, path: string, what: string) =>
  value === undefined
    ? at(path, path === '' ? 'no answer' : 'missing')
    : at(path, `${JSON.stringify(value)} is not ${what}`);
const field = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function typed(name: string, test: (value: unknown) => boolean): Shape {
  return (value, path) => (test(value) ? undefined : not(value, path, name));
}

export const string = typed('a string', (value) => typeof value === 'string');
export const number = typed('a number', (value) => typeof value === 'number');
export const boolean = typed('a boolean', (value) => typeof value === 'boolean');
const scalar = typed('a string, number or boolean', (value) =>
  ['string', 'number', 'boolean'].includes(typeof value),
);

export function optional(shape: Shape): Shape {
  return (value, path) => (value === undefined || value === null ? undefined : shape(value, path));
}

export function list(item: Shape): Shape {
  return (value, path) => {
    if (!Array.isArray(value)) return not(value, path, 'a list');
    for (const [index, entry] of value.entries()) {
      const problem = item(entry, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** An object whose every value has one shape (parameters by name). */
export function record(item: Shape): Shape {
  return (value, path) => {
    if (!isObject(value)) return not(value, path, 'an object');
    for (const [key, entry] of Object.entries(value)) {
      const problem = item(entry, field(path, key));
      if (problem) return problem;
    }
    return undefined;
  };
}

/** An object with these fields (others are allowed). */
export function object(fields: Record<string, Shape>): Shape {
  return (value, path) => {
    if (!isObject(value)) return not(value, path, 'an object');
    for (const [key, shape] of Object.entries(fields)) {
      const problem = shape(value[key], field(path, key));
      if (problem) return problem;
    }
    return undefined;
  };
}

export function either(...shapes: Shape[]): Shape {
  return (value, path) => {
    const problems = shapes.map((shape) => shape(value, path));
    return problems.includes(undefined) ? undefined : problems[0];
  };
}

const repository = optional(object({ external_id: optional(string) }));

export const USER = object({ id: string });
export const PROJECT = object({ id: string });
/** What an answer to a create is read for: the id of what was made. */
export const CREATED = object({ id: string });

export const SCHEDULE = object({
  id: string,
  name: string,
  description: optional(string),
  timetable: object({
    'per-hour': number,
    'hours-of-day': list(number),
    'days-of-week': optional(list(string)),
    'days-of-month': optional(list(number)),
    months: optional(list(string)),
  }),
  parameters: record(scalar),
  actor: optional(object({ id: optional(string) })),
});

export const PIPELINE_DEFINITION = object({
  id: string,
  name: string,
  description: optional(string),
  config_source: object({ provider: string, repo: repository, file_path: optional(string) }),
  checkout_source: object({ provider: string, repo: repository }),
});

export const TRIGGER = object({
  id: string,
  event_name: optional(string),
  event_preset: optional(string),
  checkout_ref: optional(string),
  config_ref: optional(string),
  disabled: optional(boolean),
  parameters: optional(record(scalar)),
  event_source: object({
    provider: string,
    repo: repository,
    schedule: optional(
      object({
        cron_expression: optional(string),
        attribution_actor: optional(either(string, object({ id: optional(string) }))),
      }),
    ),
  }),
});
