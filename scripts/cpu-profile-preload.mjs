// A CPU profile of a whole process run, for a server the benchmarks start (Node refuses --cpu-prof in NODE_OPTIONS):
//   HONE_BENCH_SERVER_NODE_OPTIONS="--import ./scripts/cpu-profile-preload.mjs" npm run bench -- ingest --only=rest
// writes <pid>.cpuprofile into HONE_CPU_PROFILE_DIR (default: the working directory) when the process exits; open it
// in Chrome DevTools or speedscope. The build is minified: its .js.map files name the functions.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // The in-process session answers synchronously, so the profile is written before the process ends.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const directory = process.env.HONE_CPU_PROFILE_DIR || process.cwd();
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
