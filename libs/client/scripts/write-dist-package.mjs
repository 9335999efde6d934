// Writes dist/package.json: the published package points at the built JavaScript and declarations, where the
// repository's package.json points at the sources.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

const source = JSON.parse(readFileSync('package.json', 'utf8'));
const entry = (name) => ({ types: `./${name}.d.ts`, default: `./${name}.js` });
const published = {
  name: source.name,
  version: source.version,
  description: source.description,
  type: 'module',
  exports: { '.': entry('index'), './node': entry('node'), './testing': entry('testing/index') },
  types: './index.d.ts',
  sideEffects: false,
  dependencies: source.dependencies,
};
writeFileSync('dist/package.json', `${JSON.stringify(published, null, 2)}\n`);
copyFileSync('README.md', 'dist/README.md');
