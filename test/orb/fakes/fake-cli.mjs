// A recording stand-in for the aws and docker CLIs, used by test/orb (see harness.ts).
//
// Each call appends one JSON line to the file named by CARBON_FAKE_LOG:
//   { tool, argv, files?, stdin? }
// where files holds every `file://` argument, keyed by the option it belongs to (`--cli-input-json`;
// a second file of one option as `--option[1]`): the file's path, mode, text and parsed content
// (read at call time: scripts delete some of them), so that the contract checker sees what the
// real CLI would read; stdin is what `docker login` received. Nothing is written anywhere else.
//
// The answer comes from the scenario file named by CARBON_FAKE_SCENARIO: an ordered list of rules
// { match: argv prefix, stdout?, stderr?, exit?, times? }. The first matching rule with uses left
// wins (uses are counted in a file beside the scenario), so a test can script a sequence of answers.
// Without a matching rule, aws fails loudly (exit 99) and docker succeeds.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

function readFileArgument(value) {
  const path = value.slice('file://'.length);
  try {
    const text = readFileSync(path, 'utf8');
    let content;
    try {
      content = JSON.parse(text);
    } catch {
      content = text;
    }
    return { path, mode: statSync(path).mode & 0o777, text, content };
  } catch (error) {
    return { path, error: String(error) };
  }
}

function record(tool, argv) {
  const entry = { tool, argv };
  const files = {};
  let option = '';
  let count = 0;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      [option, count] = [arg.split('=')[0], 0];
      continue;
    }
    if (!arg.startsWith('file://')) continue;
    files[count === 0 ? option : `${option}[${count}]`] = readFileArgument(arg);
    count += 1;
  }
  if (Object.keys(files).length > 0) entry.files = files;
  if (tool === 'docker' && argv[0] === 'login') entry.stdin = readFileSync(0, 'utf8');
  const log = process.env.CARBON_FAKE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

function startsWith(argv, prefix) {
  return prefix.length <= argv.length && prefix.every((part, index) => argv[index] === part);
}

function pickRule(tool, argv) {
  const scenarioPath = process.env.CARBON_FAKE_SCENARIO;
  if (!scenarioPath || !existsSync(scenarioPath)) return undefined;
  const scenario = JSON.parse(readFileSync(scenarioPath, 'utf8'));
  const rules = scenario[tool] ?? [];
  const usesPath = `${scenarioPath}.${tool}.uses.json`;
  const uses = existsSync(usesPath) ? JSON.parse(readFileSync(usesPath, 'utf8')) : {};
  const index = rules.findIndex(
    (rule, i) =>
      startsWith(argv, rule.match) && (rule.times === undefined || (uses[i] ?? 0) < rule.times),
  );
  if (index < 0) return undefined;
  uses[index] = (uses[index] ?? 0) + 1;
  writeFileSync(usesPath, JSON.stringify(uses));
  return rules[index];
}

function defaultAnswer(tool, argv) {
  if (tool === 'aws') {
    return { stderr: `fake aws: no scenario rule matches: aws ${argv.join(' ')}\n`, exit: 99 };
  }
  if (argv[0] === 'login') return { stdout: 'Login Succeeded\n' };
  if (argv[0] === 'buildx' && argv[1] === 'build') {
    const index = argv.indexOf('--metadata-file');
    if (index >= 0 && argv[index + 1]) {
      const digest = 'sha256:0c8d4e36a7ce8b0dbbc0a16b7d5e3e5b1e9bd2d5a1f3c77f8a5e6a3b2c1d0e9f';
      writeFileSync(argv[index + 1], JSON.stringify({ 'containerimage.digest': digest }));
    }
  }
  return {};
}

export function runFake(tool) {
  const argv = process.argv.slice(2);
  record(tool, argv);
  const answer = pickRule(tool, argv) ?? defaultAnswer(tool, argv);
  if (answer.stdout !== undefined) {
    process.stdout.write(
      typeof answer.stdout === 'string'
        ? answer.stdout
        : `${JSON.stringify(answer.stdout, null, 4)}\n`,
    );
  }
  if (answer.stderr !== undefined) process.stderr.write(answer.stderr);
  process.exitCode = answer.exit ?? 0;
}
