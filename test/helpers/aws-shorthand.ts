// The AWS CLI's shorthand syntax (`key=value,key2=[a,b],key3={k=v}`), parsed the way
// awscli/shorthand.py does, enough to check what the orb's scripts write: quoted values ('..' and
// ".."), `\,` inside values, csv lists that end where the next `key=` starts, explicit lists and
// nested hashes. Values stay strings; the contract checker converts them by the model's shape.

export type ShorthandValue = string | ShorthandValue[] | { [key: string]: ShorthandValue };

export class ShorthandError extends Error {}

const KEY = /^[A-Za-z0-9_.#/:@-]+(?==)/;

export function parseShorthand(text: string): { [key: string]: ShorthandValue } {
  const parser = new Parser(text);
  const result = parser.parameters('');
  parser.end();
  return result;
}

class Parser {
  private at = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  end(): void {
    this.skipSpace();
    if (this.at < this.text.length)
      throw new ShorthandError(
        `unexpected ${JSON.stringify(this.text.slice(this.at))} at ${this.at}`,
      );
  }

  /** keyval *(',' keyval), until the end or the closing `}` of a hash. */
  parameters(closing: string): { [key: string]: ShorthandValue } {
    const result: { [key: string]: ShorthandValue } = {};
    for (;;) {
      this.skipSpace();
      const key = KEY.exec(this.text.slice(this.at))?.[0];
      if (!key)
        throw new ShorthandError(
          `expected key=value at ${this.at} of ${JSON.stringify(this.text)}`,
        );
      this.at += key.length + 1;
      result[key] = this.values(closing);
      this.skipSpace();
      if (this.peek() !== ',') return result;
      this.at += 1;
    }
  }

  private values(closing: string): ShorthandValue {
    this.skipSpace();
    if (this.peek() === '[') return this.explicitList();
    if (this.peek() === '{') {
      this.at += 1;
      const hash = this.parameters('}');
      this.expect('}');
      return hash;
    }
    const first = this.value(closing);
    const list = [first];
    // `a=1,2,b=3`: 2 continues a's csv list, b= starts the next key.
    while (this.peek() === ',' && !KEY.test(this.text.slice(this.at + 1).trimStart())) {
      this.at += 1;
      list.push(this.value(closing));
    }
    return list.length === 1 ? first : list;
  }

  private explicitList(): ShorthandValue[] {
    this.expect('[');
    const list: ShorthandValue[] = [];
    this.skipSpace();
    if (this.peek() === ']') {
      this.at += 1;
      return list;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() === '{') {
        this.at += 1;
        list.push(this.parameters('}'));
        this.expect('}');
      } else if (this.peek() === '[') list.push(this.explicitList());
      else list.push(this.value(']'));
      this.skipSpace();
      if (this.peek() === ']') {
        this.at += 1;
        return list;
      }
      this.expect(',');
    }
  }

  /** A quoted or bare value; a bare one ends at `,`, a closing bracket or the end. */
  private value(closing: string): string {
    this.skipSpace();
    const quote = this.peek();
    if (quote === "'" || quote === '"') {
      const end = this.text.indexOf(quote, this.at + 1);
      if (end < 0) throw new ShorthandError(`unterminated ${quote} at ${this.at}`);
      const value = this.text.slice(this.at + 1, end);
      this.at = end + 1;
      return value;
    }
    let value = '';
    while (this.at < this.text.length) {
      const char = this.text[this.at]!;
      if (char === '\\' && this.text[this.at + 1] === ',') {
        value += ',';
        this.at += 2;
        continue;
      }
      if (char === ',' || char === ']' || char === '}' || (closing !== '' && char === closing))
        break;
      if (char === '[' || char === '{')
        throw new ShorthandError(`unexpected ${char} inside a value at ${this.at}`);
      value += char;
      this.at += 1;
    }
    return value.trimEnd();
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.peek() !== char)
      throw new ShorthandError(`expected ${char} at ${this.at} of ${JSON.stringify(this.text)}`);
    this.at += 1;
  }

  private skipSpace(): void {
    while (this.text[this.at] === ' ') this.at += 1;
  }
}
