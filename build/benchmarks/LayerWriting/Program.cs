using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LayerWriting;

// Usage: LayerWriting [FOLDER ...] [BenchmarkDotNet options such as --filter or --artifacts DIR]
//   FOLDER  publish folders to write as layers (also LAYERWRITING_FOLDERS, separated by ';'); a name may be
//           given as NAME=PATH. Without any, a generated 100 MB folder is used.
//   LAYERWRITING_ITERATIONS  measured iterations per benchmark (default 5; each one writes the whole folder).
var folderArgs = args.TakeWhile(a => !a.StartsWith('-')).ToList();
var benchmarkArgs = args.Skip(folderArgs.Count).ToArray();
folderArgs.AddRange((Environment.GetEnvironmentVariable("LAYERWRITING_FOLDERS") ?? "")
    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

string? generated = null;
if (folderArgs.Count == 0)
{
    generated = Path.Combine(Path.GetTempPath(), "layerwriting-generated-v1");
    Console.WriteLine($"No publish folder given: generating one in {generated}");
    folderArgs.Add("generated=" + GeneratedFolder.Create(generated));
}

LayerWritingBenchmarks.Folders = folderArgs.Select(arg =>
{
    var equals = arg.IndexOf('=');
    return equals > 0 ? PublishFolder.Measure(arg[..equals], arg[(equals + 1)..]) : PublishFolder.Measure(Path.GetFileName(Path.TrimEndingDirectorySeparator(arg)), arg);
}).ToArray();
foreach (var folder in LayerWritingBenchmarks.Folders)
{
    Console.WriteLine($"Folder {folder.Name}: {folder.Path}, {folder.Files} files, {folder.Megabytes:F1} MB");
}

var iterations = int.TryParse(Environment.GetEnvironmentVariable("LAYERWRITING_ITERATIONS"), out var n) && n > 0 ? n : 5;
// In-process: nothing to generate and build per benchmark, and the folder list above stays visible. Each
// operation writes a whole folder (seconds), so one invocation per iteration and no unrolling.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(1)
    .WithIterationCount(iterations)
    .WithInvocationCount(1)
    .WithUnrollFactor(1);
// BenchmarkDotNet's reports go to the temp dir unless --artifacts says where, not into the current directory.
var config = DefaultConfig.Instance
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "LayerWriting.BenchmarkDotNet.Artifacts"))
    .AddJob(job)
    .AddColumn(new ThroughputColumn())
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);

var summary = BenchmarkRunner.Run<LayerWritingBenchmarks>(config, benchmarkArgs);
Console.WriteLine("Measuring peak memory (one more run of each benchmark per folder)...");
var peaks = MemoryProbe.MeasureAll();
var ok = ThroughputReport.Print(summary, peaks);

if (generated is not null)
{
    Directory.Delete(generated, recursive: true);
}
return ok ? 0 : 1;
