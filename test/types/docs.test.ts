// Every settings field carries the JSDoc users see in their editor, and the editor shows it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project, SyntaxKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('settings documentation', () => {
  const project = new Project({
    tsConfigFilePath: join(root, 'tsconfig.json'),
    skipAddingFilesFromTsConfig: true,
  });
  const types = project.addSourceFileAtPath(join(root, 'src/settings/types.ts'));

  it('documents every field of every settings interface', () => {
    const fields = types.getDescendantsOfKind(SyntaxKind.PropertySignature);
    expect(fields.length).toBeGreaterThanOrEqual(50);
    const undocumented = fields
      .filter((field) => field.getJsDocs().length === 0)
      .map((field) => field.getName());
    expect(undocumented).toEqual([]);
  });

  it('shows the documentation when hovering a field of defineProject in a settings module', () => {
    const sample = project.addSourceFileAtPath(join(root, 'projects/taxaroo.ts'));
    const position = sample.getFullText().indexOf('carbonRepo:');
    const info = project
      .getLanguageService()
      .compilerObject.getQuickInfoAtPosition(sample.getFilePath(), position);
    const documentation = (info?.documentation ?? []).map((part) => part.text).join('');
    expect(documentation).toContain('holds the Dockerfiles');
  });
});
