// The order test files start in: the slow project's first, each project's longest first (as
// vitest orders them, by the last run's durations). Vitest starts one project's files after the
// other's, by name: the slow files, seconds to minutes each, then ran last and alone while the
// other worker sat idle.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slow = (file: TestSpecification) => file.project.name === 'slow';
    return [...sorted.filter(slow), ...sorted.filter((file) => !slow(file))];
  }
}
