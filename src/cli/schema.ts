// `carbon fetch-schema`: the pinned CircleCI schema, downloaded and checked.
import { PINNED_SCHEMA, fetchSchema } from '../validate/schema-source.ts';
import type { CommandContext } from './context.ts';
import { EXIT } from './io.ts';

export async function fetchSchemaCommand({ io }: CommandContext): Promise<number> {
  const { path, fetched, url } = await fetchSchema(io.env);
  io.out(
    fetched
      ? `fetched CircleCI's schema (${PINNED_SCHEMA.repository} at ${PINNED_SCHEMA.commit.slice(0, 12)}) from ${url} into ${path}\n`
      : `CircleCI's schema is already in ${path}\n`,
  );
  return EXIT.ok;
}
