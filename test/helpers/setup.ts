// Before every test file: what each test leaves behind goes after it.
import { afterEach } from 'vitest';
import { removeWorkspaces } from './workspace.ts';

afterEach(removeWorkspaces);
