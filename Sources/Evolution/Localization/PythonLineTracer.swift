import Foundation
import Sandbox

/// Collects test spectra from Python benchmarks: which lines of the editable files each test
/// executed, and whether the test failed.
///
/// A traced run is an ordinary benchmark run of the candidate, in the sandbox, with a
/// `sitecustomize.py` on `PYTHONPATH` that installs a line tracer in every Python process the
/// benchmark starts (child processes inherit the variable). A test is a function whose name starts
/// with `test` in a file of the workspace that is not editable (pytest functions and methods,
/// unittest methods); it failed when it ended by raising. Lines are recorded only in editable
/// files and only while a test runs, so the cost is a call event per function call outside them.
/// What the tracer writes can only steer where the search mutates, never a score.
public enum PythonLineTracer {
    /// The folder, inside the candidate's copy, holding the tracer and what it writes.
    public static let directory = ".crucible-trace"
    /// The most bytes read back from one trace file.
    static let maxTraceBytes = 32 << 20

    /// Puts the tracer into the candidate's copy at `folder`, tracing `files` (relative paths).
    static func install(in folder: String, files: [String]) throws {
        let here = folder + "/" + directory
        try FileManager.default.createDirectory(atPath: here, withIntermediateDirectories: true)
        try script.write(toFile: here + "/sitecustomize.py", atomically: false, encoding: .utf8)
        try (files.joined(separator: "\n") + "\n").write(toFile: here + "/files.txt", atomically: false, encoding: .utf8)
    }

    /// The environment of a traced run: `environment` with the tracer's folder first on `PYTHONPATH`.
    /// The path is relative, so it holds wherever the sandbox puts the copy; Python makes it
    /// absolute at start-up, from the benchmark's working directory, the copy's root.
    static func environment(_ environment: [String: String]) -> [String: String] {
        var env = environment
        env["PYTHONPATH"] = [directory, environment["PYTHONPATH"]].compactMap { $0 }.joined(separator: ":")
        return env
    }

    /// Every test the tracer recorded in the copy at `folder`. Reads only regular files, never
    /// through a symlink, at most `maxTraceBytes` each; malformed lines are skipped.
    static func collect(from folder: String) -> [TestSpectra.Test] {
        var status = stat()
        guard lstat(folder + "/" + directory, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { return [] }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + directory)) ?? [])
            .filter { $0.hasPrefix("trace-") && $0.hasSuffix(".jsonl") }.sorted()
        var tests: [TestSpectra.Test] = []
        let decoder = JSONDecoder()
        for name in names {
            guard let (bytes, _) = try? SafeTree.readFile(directory + "/" + name, in: folder, maxBytes: maxTraceBytes) else { continue }
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                if let test = try? decoder.decode(TestSpectra.Test.self, from: Data(line)) { tests.append(test) }
            }
        }
        return tests
    }

    /// The tracer, Python 3.8 or later, standard library only.
    static let script = #"""
# Crucible's line tracer: records, for every test function that runs, which lines of the
# workspace's editable files it executed and whether it raised. Python imports it at start-up as
# sitecustomize, from PYTHONPATH, in every process of a traced benchmark run; it writes one JSON
# line per test beside itself, in trace-PID.jsonl.
def _crucible_install():
    import json, os, sys, threading
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    try:
        with open(os.path.join(here, "files.txt"), encoding="utf-8") as f:
            wanted = {os.path.normcase(os.path.join(root, line.strip())): line.strip() for line in f if line.strip()}
    except OSError:
        return
    out_path = os.path.join(here, "trace-%d.jsonl" % os.getpid())
    real = os.path.realpath
    kinds = {}  # co_filename -> relative editable path, "test", or None

    def kind(filename):
        k = kinds.get(filename, 0)
        if k == 0:
            full = os.path.normcase(real(filename)) if filename and not filename.startswith("<") else ""
            if full in wanted:
                k = wanted[full]
            elif full.startswith(root + os.sep):
                k = "test"
            else:
                k = None
            kinds[filename] = k
        return k

    state = threading.local()

    def flush(name, failed, lines):
        record = {"test": name, "failed": failed, "lines": {p: sorted(s) for p, s in lines.items()}}
        try:
            with open(out_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        except OSError:
            pass

    def tracer(frame, event, arg):
        code = frame.f_code
        k = kind(code.co_filename)
        if k is None:
            return None
        current = getattr(state, "test", None)
        if k == "test":
            if current is None and code.co_name.startswith("test"):
                test = {"frame": frame, "name": getattr(code, "co_qualname", code.co_name), "lines": {}, "raised": False}
                state.test = test

                def local(frame, event, arg):
                    if event == "exception":
                        test["raised"] = True
                    elif event == "line":
                        test["raised"] = False
                    elif event == "return":
                        state.test = None
                        flush(test["name"], test["raised"], test["lines"])
                    return local
                return local
            return None
        if current is None:
            return None
        hits = current["lines"].setdefault(k, set())
        hits.add(frame.f_lineno)

        def local(frame, event, arg):
            if event == "line":
                hits.add(frame.f_lineno)
            return local
        return local

    sys.settrace(tracer)
    threading.settrace(tracer)

def _crucible_chain():
    # Runs the sitecustomize this one shadows, if the interpreter has one.
    import os, sys
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        path = os.path.join(os.path.abspath(entry or "."), "sitecustomize.py")
        if os.path.dirname(path) != here and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                exec(compile(f.read(), path, "exec"), {"__name__": "sitecustomize", "__file__": path})
            return

try:
    _crucible_install()
except Exception:
    pass
del _crucible_install
_crucible_chain()
del _crucible_chain
"""#
}
