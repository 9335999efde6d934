import { readRepoFile } from './repo-files.ts';

interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  /** The FROM argument with global ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** A small Dockerfile reader: comments, line continuations, global ARG defaults, stages. */
export function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && /^\s*#/.test(line)) continue;
    if (pending !== '' && /^\s*#/.test(line)) continue; // comments inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') lines.push(full);
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = match[2] ?? '';
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a?: string, b?: string) => {
        const name = a ?? b ?? '';
        return globalArgs[name] ?? '';
      });
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ name: asIndex === -1 ? undefined : words[asIndex + 1], from: image, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) {
      if (keyword === 'ARG') {
        const [name, value] = args.split('=', 2);
        if (name !== undefined) globalArgs[name.trim()] = value?.trim() ?? '';
      }
      continue;
    }
    stage.instructions.push({ keyword, args });
  }
  return { globalArgs, stages };
}

export function loadDockerfile(): Dockerfile {
  return parseDockerfile(readRepoFile('Dockerfile'));
}

export function findStage(file: Dockerfile, name: string): Stage | undefined {
  return file.stages.find((s) => s.name === name);
}

/** The last value of `keyword` in the stage or, through `FROM <stage>`, in the stages it builds on. */
export function effectiveInstruction(file: Dockerfile, stage: Stage, keyword: string): string | undefined {
  const own = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (own !== undefined) return own.args;
  const parent = findStage(file, stage.from);
  return parent === undefined ? undefined : effectiveInstruction(file, parent, keyword);
}

/** The image a stage finally builds on (following `FROM <stage>` chains). */
export function baseImage(file: Dockerfile, stage: Stage): string {
  const parent = findStage(file, stage.from);
  return parent === undefined ? stage.from : baseImage(file, parent);
}
