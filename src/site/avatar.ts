// Pictures made from a project's name, so that pages look like the project without loading its
// avatar and hero images from their remote hosts: initials on a colour, and a two-colour band. The
// colour comes from a hash of the project id (stable across runs and machines), dark enough that
// white initials keep a contrast of at least 4.5:1.
import { createHash } from 'node:crypto';

export interface Avatar {
  initials: string;
  /** Background colour, `#rrggbb`. */
  background: string;
  /** Initials colour. */
  foreground: string;
  /** The image the settings name (not loaded): shown as a link. */
  source?: string;
}

export interface Hero {
  /** The band's two colours, left to right. */
  from: string;
  to: string;
  source?: string;
}

export function initials(name: string): string {
  const words = name.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return '?';
  const letters =
    words.length === 1
      ? [...words[0]!].slice(0, 2)
      : words.slice(0, 2).map((word) => [...word][0]!);
  return letters.join('').toUpperCase();
}

export function avatarOf(id: string, name: string, source: string | undefined): Avatar {
  const hue = hueOf(id);
  return {
    initials: initials(name),
    background: hsl(hue, 0.55, 0.3),
    foreground: '#ffffff',
    ...(source !== undefined ? { source } : {}),
  };
}

export function heroOf(id: string, source: string | undefined): Hero {
  const hue = hueOf(id);
  return {
    from: hsl(hue, 0.55, 0.3),
    to: hsl((hue + 50) % 360, 0.6, 0.45),
    ...(source !== undefined ? { source } : {}),
  };
}

function hueOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % 360;
}

/** `#rrggbb` of an HSL colour (saturation and lightness from 0 to 1). */
function hsl(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function luminance(colour: string): number {
  const channels = [1, 3, 5].map((at) => parseInt(colour.slice(at, at + 2), 16) / 255);
  const [r, g, b] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  ) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
