// Package killercoda loads killercoda scenarios (and the Katacoda spellings
// still found in them) and runs them against a cluster: interactively for a
// learner (Play) or as a check for CI (Test).
//
// It owns: reading index.json and structure.json (Load, LoadDir,
// LoadCourse), step markdown with its {{exec}}/{{copy}}/{{}} markers
// (ParseMarkdown, recognised only right after closing backticks so that Helm
// templates stay text), mapping backend.imageid to a Topology (plain data
// the caller turns into a cluster), running verify/background/foreground
// scripts and {{exec}} blocks in real bash with a time limit, and rendering
// markdown for a terminal.
//
// It must not: reach the cluster other than through scenarios.Env (typed
// commands go to Env.Run; scripts and blocks reach it through the shims on
// Env.ScriptEnv's PATH), write outside its work directory (assets whose
// target is elsewhere are put below it), or leave processes behind (each
// script runs in its own process group, killed when the script ends or
// times out, and background scripts are stopped when Play or Test return).
//
// Decisions worth knowing:
//   - When the Env has hosts (scenarios.Hosts), a killercoda scenario's
//     scripts and blocks run there, as root on the simulated controlplane
//     (ssh node01 reaches the worker), in runtime/shell rather than bash:
//     their files are the host's, never the user's, assets go onto the
//     host, and sleeps move the virtual clock (no pump). The built-in
//     lecture's scripts still run in bash, as on the learner's laptop.
//   - Scripts run as `bash -c BODY PATH`, so a script need not be executable
//     or start with a shebang (most real verify scripts are neither).
//   - {{exec}} blocks run through bash too, one block as one script, in Play
//     (`exec N`) and in Test alike: real blocks hold heredocs, pipes and
//     $(…), which the practice shell does not run.
//   - Verify passes on exit status 0, as killercoda does; output is only
//     shown.
//   - A block that watches (`kubectl get … -w`, `kubectl logs -f`, `watch`,
//     `tail -f`) never ends by itself; a learner stops it with Ctrl+C. Test
//     gives it TestConfig.WatchTimeout and does not count the limit as a
//     failure. Likewise a block followed by {{exec interrupt}}.
//   - Blocks share the learner's shell state as one terminal would: each
//     block starts in the directory the previous one left, with the
//     variables it exported (kept in .kubesim-shell/ in the work directory).
//     Verify and background scripts start fresh in the work directory.
//   - A block's background jobs (`cmd &`) end with it: its process group is
//     killed when bash exits.
//   - While any script or block runs, the virtual clock follows the wall
//     clock ClockRate times as fast (default 10; Env.Advance every 250 ms):
//     scripts poll (`until kubectl wait …; do sleep 2; done`, `rollout
//     status`) and would wait forever on a clock that only moves between
//     steps. All Env calls are serialised (Env's contract).
//   - Test advances the virtual clock (Env.Advance) by a settle time after
//     setup and after each step's blocks; Play does not unless asked
//     (PlayConfig.Settle), since a live cluster's clock follows the wall
//     clock.
package killercoda
