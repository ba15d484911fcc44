import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by package (node_modules/<package>), the application's own code, or V8/Node. */
  byPackage: { name: string; ms: number; share: number }[];
  /** The functions with the most self time. */
  topFunctions: { name: string; where: string; ms: number; share: number }[];
}

/** Where a script belongs: its npm package, the application (dist/apps, dist/libs) or Node. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const app = /\/dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  if (app) return `app:${app[1]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return url;
}

/** Self time per function and per package of a .cpuprofile written by node --cpu-prof. */
export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    profile.samples.forEach((id, index) => {
      selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas?.[index + 1] ?? 0));
    });
  }
  const totalUs = profile.endTime - profile.startTime;
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const share = (us: number) => Number(((100 * us) / totalUs).toFixed(1));
  return {
    file,
    totalMs: Math.round(totalUs / 1000),
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: share(us) })),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        ms: Math.round(f.us / 1000),
        share: share(f.us),
      })),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`${summary.file} (${summary.totalMs} ms profiled)`, '  self time by package:'];
  for (const p of summary.byPackage)
    lines.push(`    ${String(p.share).padStart(5)} %  ${p.ms} ms  ${p.name}`);
  lines.push('  self time by function:');
  for (const f of summary.topFunctions) {
    lines.push(`    ${String(f.share).padStart(5)} %  ${f.ms} ms  ${f.name}  ${f.where}`);
  }
  return lines.join('\n');
}
