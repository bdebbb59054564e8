using System.Text.Json.Nodes;

namespace Containers.Build.Tests.PeerVectors;

/// <summary>One case from a peer's test suite: an input, the outcome the peer expects, and the whole row.</summary>
public sealed record PeerVector(string Set, string Id, string Kind, string Input, string Expect, string Note, JsonObject? Row)
{
    public override string ToString() => $"{Set}:{Id}";
}

/// <summary>
/// Where our outcome differs from the peer's on purpose (or until another change lands): the outcome we give
/// instead, and why. Read from PeerVectors/expected-differences.tsv.
/// </summary>
public sealed record ExpectedDifference(string Id, string Ours, string Reason, bool Pending);

/// <summary>
/// Reads the peer vectors copied into PeerVectors/ (see the README there) and checks an outcome of ours against
/// them: the peer's expectation, or for a listed difference, the outcome the list documents.
/// </summary>
public static class PeerVectorData
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "PeerVectors");

    public const string DistributionReference = "distribution-reference/distribution-reference.tsv";
    public const string GoContainerRegistry = "go-containerregistry/gcr.tsv";
    public const string DotnetSdk = "dotnet-sdk/dotnet-sdk.jsonl";
    public const string ImageSpec = "image-spec/image-spec.jsonl";

    private static readonly Lazy<IReadOnlyList<PeerVector>> All = new(() =>
        [.. ReadTsv(DistributionReference), .. ReadTsv(GoContainerRegistry), .. ReadJsonLines(DotnetSdk), .. ReadJsonLines(ImageSpec)]);

    private static readonly Lazy<IReadOnlyDictionary<string, ExpectedDifference>> Differences = new(ReadDifferences);

    public static IReadOnlyList<PeerVector> Vectors => All.Value;

    public static IReadOnlyDictionary<string, ExpectedDifference> ExpectedDifferences => Differences.Value;

    /// <summary>The ids of the vectors of <paramref name="kinds"/> in <paramref name="set"/>, as theory data.</summary>
    public static TheoryData<string> Ids(string set, params string[] kinds)
    {
        var data = new TheoryData<string>();
        foreach (var vector in Vectors.Where(v => v.Set == set && kinds.Contains(v.Kind)))
        {
            data.Add(vector.Id);
        }
        if (data.Count == 0)
        {
            throw new InvalidOperationException($"No vectors of kind {string.Join("/", kinds)} in {set}: the data file was not copied to the output, or its format changed.");
        }
        return data;
    }

    public static PeerVector Get(string set, string id) => Vectors.Single(v => v.Set == set && v.Id == id);

    /// <summary>
    /// Asserts that <paramref name="ours"/> is the peer's expected outcome, or, for a listed difference, the outcome
    /// listed (and not the peer's: a difference that has gone away must be taken off the list). A pending
    /// difference (a fix under way elsewhere) accepts either.
    /// </summary>
    public static void Check(PeerVector vector, string ours)
    {
        if (ExpectedDifferences.TryGetValue(vector.Id, out var difference))
        {
            if (difference.Pending && ours == vector.Expect)
            {
                return;
            }
            Assert.True(ours != vector.Expect || difference.Pending,
                $"{vector}: we now agree with the peer ('{ours}'); remove '{vector.Id}' from expected-differences.tsv.");
            Assert.True(ours == difference.Ours,
                $"{vector} ({vector.Input}): the documented difference says we give '{difference.Ours}' ({difference.Reason}), but we give '{ours}'.");
            return;
        }
        Assert.True(ours == vector.Expect,
            $"{vector} ({vector.Input}): the peer expects '{vector.Expect}', we give '{ours}'. {vector.Note}");
    }

    /// <summary>"ok" or "err" for a rule that either accepts or rejects.</summary>
    public static string OkOrErr(Func<bool> accepts)
    {
        try
        {
            return accepts() ? "ok" : "err";
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return "err";
        }
    }

    /// <summary>"ok &lt;value&gt;", or "err" when <paramref name="produce"/> throws.</summary>
    public static string OkValueOrErr(Func<string> produce)
    {
        try
        {
            return "ok " + produce();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return "err";
        }
    }

    private static IEnumerable<PeerVector> ReadTsv(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, file)).Where(l => !l.StartsWith('#')).ToArray();
        var header = lines[0].Split('\t');
        if (!header.SequenceEqual(["id", "src", "kind", "input", "expect", "note"]))
        {
            throw new InvalidOperationException($"{file}: unexpected header '{lines[0]}'.");
        }
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            yield return new PeerVector(file, f[0], f[2], f[3], f[4], f.Length > 5 ? f[5] : "", null);
        }
    }

    private static IEnumerable<PeerVector> ReadJsonLines(string file)
    {
        foreach (var line in File.ReadLines(Path.Combine(Root, file)).Where(l => l.Length > 0))
        {
            var row = (JsonObject)JsonNode.Parse(line)!;
            if (row["id"] is null)
            {
                continue; // the header line: source, files, commit
            }
            var input = row["input"] switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                var node => node.ToJsonString(),
            };
            var expect = row["expect"] switch
            {
                null => row["fail"] is { } fail ? (fail.GetValue<bool>() ? "err" : "ok") : "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                var node => node.ToJsonString(),
            };
            yield return new PeerVector(file, (string)row["id"]!, (string?)row["kind"] ?? "", input, expect,
                (string?)row["note"] ?? (string?)row["comment"] ?? "", row);
        }
    }

    private static IReadOnlyDictionary<string, ExpectedDifference> ReadDifferences()
    {
        var result = new Dictionary<string, ExpectedDifference>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Root, "expected-differences.tsv")))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var f = line.Split('\t');
            if (f.Length != 4 || f[1] is not ("intended" or "pending") || f[3].Length == 0)
            {
                throw new InvalidOperationException($"expected-differences.tsv: '{line}' is not 'id<TAB>intended|pending<TAB>our outcome<TAB>reason'.");
            }
            result.Add(f[0], new ExpectedDifference(f[0], f[2], f[3], f[1] == "pending"));
        }
        return result;
    }
}
