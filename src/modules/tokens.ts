// The tokens of a settings module's values, for the outline (outline.ts). A scanner of its own
// rather than a parser: one pass over the characters, where sucrase's parser would first have to
// be loaded and then runs slower than the scan (bench/RESULTS.md, "warnings added"). It knows what
// can hide a bracket (strings, template literals, comments, regular expressions) and drops what
// TypeScript adds to JavaScript around values (`as T`, `satisfies T`, `<T>x`, `x!`), so that
// what is left is the values' JavaScript. test/modules/outline.test.ts holds it to TypeScript.

export interface Token {
  /** The punctuation itself (`{`, `...`, `=>`, `${`), or `name`, `string`, `number`, `template`, `regex`, `op`. */
  kind: string;
  start: number;
  end: number;
}

export interface Tokens {
  tokens: Token[];
  /** Where each token's text starts, with the type assertion just before it (`<T>{...}`). */
  from: number[];
}

/** Words after which a `/` starts a regular expression and `as` is a name, not an operator. */
const KEYWORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'export',
  'default',
  'const',
  'let',
  'var',
  'extends',
]);
const PUNCTUATION = new Set([
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '=',
  '.',
  '<',
  '>',
  '!',
  '?',
]);

/** Tokens of `text`, TypeScript's additions around values dropped. */
export function valueTokens(text: string): Tokens {
  return dropTypes(text, scan(text));
}

function isIdentifierPart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36 ||
    code === 92 ||
    code > 127
  );
}

/** Every token of `text`, comments and white space left out. */
export function scan(text: string): Token[] {
  const tokens: Token[] = [];
  // For each open `{`: whether it is a template literal's `${`, whose `}` resumes the template.
  const braces: boolean[] = [];
  const length = text.length;
  let index = 0;
  const push = (kind: string, start: number, end: number) => {
    tokens.push({ kind, start, end });
    index = end;
  };
  /** Scans template text from `start` (after a backquote or a `}`) to its end or next `${`. */
  const template = (start: number, from: number) => {
    let at = start;
    while (at < length) {
      const code = text.charCodeAt(at);
      if (code === 92) at += 2;
      else if (code === 96) return push('template', from, at + 1);
      else if (code === 36 && text.charCodeAt(at + 1) === 123) {
        push('template', from, at);
        braces.push(true);
        return push('${', at, at + 2);
      } else at++;
    }
    push('template', from, length);
  };
  while (index < length) {
    const code = text.charCodeAt(index);
    const start = index;
    if (code <= 32 || code === 0xa0 || code === 0xfeff || code === 0x2028 || code === 0x2029) {
      index++;
    } else if (code === 47 && text.charCodeAt(index + 1) === 47) {
      const end = text.indexOf('\n', index);
      index = end < 0 ? length : end;
    } else if (code === 47 && text.charCodeAt(index + 1) === 42) {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? length : end + 2;
    } else if (code === 47 && regexAllowed(text, tokens)) {
      let at = index + 1;
      let inClass = false;
      while (at < length) {
        const char = text.charCodeAt(at);
        if (char === 92) at += 2;
        else if (char === 10) break;
        else {
          at++;
          if (char === 91) inClass = true;
          else if (char === 93) inClass = false;
          else if (char === 47 && !inClass) break;
        }
      }
      while (at < length && isIdentifierPart(text.charCodeAt(at))) at++;
      push('regex', start, at);
    } else if (code === 39 || code === 34) {
      let at = index + 1;
      while (at < length) {
        const char = text.charCodeAt(at);
        if (char === 92) at += 2;
        else if (char === code) {
          at++;
          break;
        } else if (char === 10) break;
        else at++;
      }
      push('string', start, Math.min(at, length));
    } else if (code === 96) {
      template(index + 1, start);
    } else if (code === 125 && braces.at(-1) === true) {
      braces.pop();
      push('}', start, start + 1);
      template(start + 1, start + 1);
    } else if (isIdentifierPart(code) && !(code >= 48 && code <= 57)) {
      let at = index + 1;
      while (at < length && isIdentifierPart(text.charCodeAt(at))) at++;
      push('name', start, at);
    } else if ((code >= 48 && code <= 57) || (code === 46 && isDigit(text.charCodeAt(index + 1)))) {
      let at = index + 1;
      while (at < length) {
        const char = text.charCodeAt(at);
        const exponentSign =
          (char === 43 || char === 45) && (text[at - 1] === 'e' || text[at - 1] === 'E');
        if (isIdentifierPart(char) || char === 46 || exponentSign) at++;
        else break;
      }
      push('number', start, at);
    } else if (text.startsWith('...', index)) {
      push('...', start, start + 3);
    } else if (text.startsWith('=>', index)) {
      push('=>', start, start + 2);
    } else if (code === 123) {
      braces.push(false);
      push('{', start, start + 1);
    } else if (code === 125) {
      braces.pop();
      push('}', start, start + 1);
    } else {
      const char = text[index]!;
      // `!==`, `<=`, `==`: one operator, so that a lone `!` or `=` is what it seems.
      if ((char === '!' || char === '=' || char === '<' || char === '>') && text[index + 1] === '=')
        push(
          'op',
          start,
          start + ((char === '!' || char === '=') && text[index + 2] === '=' ? 3 : 2),
        );
      else push(PUNCTUATION.has(char) ? char : 'op', start, start + 1);
    }
  }
  return tokens;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Whether a `/` here starts a regular expression rather than dividing. */
function regexAllowed(text: string, tokens: Token[]): boolean {
  const previous = tokens.at(-1);
  if (!previous) return true;
  if (previous.kind === 'name') return KEYWORDS.has(text.slice(previous.start, previous.end));
  return !['number', 'string', 'template', 'regex', ')', ']', '}'].includes(previous.kind);
}

/** Whether the token ends an expression (so `as`, `!` and `<` after it are TypeScript's). */
function endsExpression(text: string, token: Token | undefined): boolean {
  if (!token) return false;
  if (token.kind === 'name') return !KEYWORDS.has(text.slice(token.start, token.end));
  return ['number', 'string', 'template', 'regex', ')', ']', '}'].includes(token.kind);
}

/**
 * Drops `as T`, `satisfies T` and `!` after a value, and `<T>` before one. Type annotations of
 * declarations (`const x: T =`) stay: the outline steps over them itself.
 */
function dropTypes(text: string, all: Token[]): Tokens {
  const tokens: Token[] = [];
  const from: number[] = [];
  let pending: number | undefined;
  // Inside `export { a as b }` and `import { a as b }`, `as` renames: it is no type.
  let specifiersEnd = -1;
  for (let index = 0; index < all.length; index++) {
    const token = all[index]!;
    const word = token.kind === 'name' ? text.slice(token.start, token.end) : '';
    const last = tokens.at(-1);
    const lastWord = last?.kind === 'name' ? text.slice(last.start, last.end) : '';
    if (
      token.kind === '{' &&
      (lastWord === 'export' || lastWord === 'import' || lastWord === 'type')
    )
      specifiersEnd = closingBrace(all, index);
    if (index < specifiersEnd) {
      tokens.push(token);
      from.push(token.start);
      continue;
    }
    if ((word === 'as' || word === 'satisfies') && endsExpression(text, last)) {
      index = endOfType(text, all, index + 1) - 1;
      continue;
    }
    if (token.kind === '!' && endsExpression(text, last)) continue;
    if (token.kind === '<' && last?.kind === 'name' && endsExpression(text, last)) {
      // `define<T>(...)`: type arguments of a call.
      const close = matchingAngle(all, index);
      if (close !== undefined && all[close + 1]?.kind === '(') {
        index = close;
        continue;
      }
    }
    if (token.kind === '<' && !endsExpression(text, last)) {
      // `<T>value`: an old-style type assertion before a value.
      const close = matchingAngle(all, index);
      if (close !== undefined) {
        pending ??= token.start;
        index = close;
        continue;
      }
    }
    tokens.push(token);
    from.push(pending ?? token.start);
    pending = undefined;
  }
  return { tokens, from };
}

/** The index of the `}` that closes the `{` at `open`. */
function closingBrace(tokens: Token[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const kind = tokens[index]!.kind;
    if (kind === '{' || kind === '${') depth++;
    else if (kind === '}' && --depth === 0) return index;
  }
  return tokens.length;
}

/** The index of the `>` that closes the `<` at `open`, brackets and nested angles counted. */
function matchingAngle(tokens: Token[], open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const kind = tokens[index]!.kind;
    if (kind === '<' || kind === '(' || kind === '[' || kind === '{') depth++;
    else if (kind === '>' || kind === ')' || kind === ']' || kind === '}') {
      depth--;
      if (depth === 0) return kind === '>' ? index : undefined;
      if (depth < 0) return undefined;
    } else if (kind === ';') return undefined;
  }
  return undefined;
}

/**
 * Where the type that starts at `start` ends: at a comma, semicolon, `=` or closing bracket
 * outside any bracket or angle of its own, or at a line break where the type is complete.
 */
function endOfType(text: string, tokens: Token[], start: number): number {
  let depth = 0;
  for (let index = start; index < tokens.length; index++) {
    const token = tokens[index]!;
    const kind = token.kind;
    if (depth === 0) {
      if (kind === ',' || kind === ';' || kind === '=' || kind === '=>') return index;
      if (kind === ')' || kind === ']' || kind === '}' || kind === '>') return index;
      const previous = tokens[index - 1]!;
      const continues = ['|', '&', '.', '<', '[', '(', '{'];
      if (
        index > start &&
        text.slice(previous.end, token.start).includes('\n') &&
        !continues.includes(text[token.start]!) &&
        !continues.includes(text[previous.end - 1]!)
      )
        return index;
    }
    if (kind === '<' || kind === '(' || kind === '[' || kind === '{' || kind === '${') depth++;
    else if (kind === '>' || kind === ')' || kind === ']' || kind === '}') depth--;
  }
  return tokens.length;
}
