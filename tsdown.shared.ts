import { defineConfig, type UserConfig } from 'tsdown'

/** How every publishable package is built: ESM and CommonJS with type declarations, for Node 20+. */
export function packageBuild(entry: string[] = ['src/index.ts']): UserConfig {
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, platform: 'node', target: 'node20', clean: true })
}
