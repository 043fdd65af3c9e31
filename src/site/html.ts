// HTML written with a tagged template that escapes every value it is given, unless the value is
// HTML already (made by this tag, or `trusted` for markup that was made safe elsewhere: the
// graph's SVG). Nothing a settings file says can become markup.

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

export type Value = Html | string | number | undefined | false | null | Value[];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0]!;
  values.forEach((value, at) => {
    text += render(value) + strings[at + 1]!;
  });
  return new Html(text);
}

/** Markup made safe by its producer. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
