using System.Diagnostics;
using System.Globalization;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Testing;
using Xunit.Abstractions;

namespace ChainInterop.Tests.Storage;

/// <summary>
/// The real crash test of the durable store (C5): a child process (tests/ChainInterop.StoreCrashWriter) appends
/// certified blocks and reports each one once its append returned; the test kills it with SIGKILL at seeded random
/// points (at once, after N reports, in the middle of a batch), reopens the same directory in-process and checks that
/// every block reported durable is there, byte-identical by hash, and that the whole chain verifies. The directory
/// is reused across kills, so recovery runs over its own repairs again and again.
/// </summary>
public sealed class KillNineTests(ITestOutputHelper output) : IDisposable
{
    private const int DefaultKillPoints = 50;
    // Starting a child process and reading its lines: generous, because a busy machine starts processes many times slower.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(180);
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Every_block_reported_durable_survives_kill_9_C5()
    {
        int killPoints = int.TryParse(Environment.GetEnvironmentVariable("CHAININTEROP_KILL_POINTS"), out int n) && n > 0 ? n : DefaultKillPoints;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CHAININTEROP_KILL_SEED"), out int s) ? s : 0x5C0FFEE;
        var random = new Random(seed);
        using var chain = new DeterministicChain();
        var reported = new Dictionary<ulong, Hash256>();
        var started = Stopwatch.StartNew();
        int immediate = 0, afterLines = 0, midBatch = 0;
        int point = 0;
        try
        {
            for (point = 0; point < killPoints; point++)
            {
                var durability = point % 2 == 0 ? FileStoreDurability.EveryBatch : FileStoreDurability.EveryBlock;
                int kind = random.Next(3);
                int lines = random.Next(1, 40);
                int childSeed = random.Next();
                using var child = StartChild(durability, childSeed);
                try
                {
                    switch (kind)
                    {
                        case 0:
                            immediate++;
                            break;
                        case 1:
                            afterLines++;
                            await ReadDurableLinesAsync(child, lines, reported);
                            break;
                        default:
                            midBatch++;
                            await ReadDurableLinesAsync(child, lines, reported);
                            Thread.SpinWait(random.Next(0, 200_000)); // let it get into the next batch's write or fsync
                            break;
                    }
                }
                finally
                {
                    child.Kill(); // SIGKILL on Linux: no finalizers, no flush, no dispose
                    await child.WaitForExitAsync();
                }

                // Everything the child printed before it died was durable when printed.
                Parse(await child.StandardOutput.ReadToEndAsync(), reported);
                await AssertDurableBlocksAsync(chain, reported);
            }

            await using var store = Open(chain.ChainId);
            var all = await store.ReadAsync().ToListAsync();
            var verdict = ChainVerifier.Verify(chain.ChainId, chain.Validators, all);
            Assert.True(verdict.IsValid, verdict.ToString());
            output.WriteLine(
                $"seed {seed}: {killPoints} kill points ({immediate} immediate, {afterLines} after N reports, {midBatch} mid-batch), " +
                $"{reported.Count} blocks reported durable and verified, {all.Count} blocks stored, " +
                $"{Directory.GetFiles(Path.Combine(_directory.Path, chain.ChainId.Value), "segment-*.log").Length} segments, {_logs.Events.Count(e => e.Id.Id == 5101)} torn tails truncated on reopen, {started.Elapsed.TotalSeconds:F1} s");
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"kill -9 test failed at kill point {point} with seed {seed} (rerun with CHAININTEROP_KILL_SEED={seed}): {e}");
        }
    }

    private static string CrashWriterPath()
    {
        var testProject = Path.Combine(RepositoryRoot.Path, "tests", "ChainInterop.Core.Tests");
        var relative = Path.GetRelativePath(testProject, AppContext.BaseDirectory); // bin/<Configuration>/<tfm>
        var dll = Path.Combine(RepositoryRoot.Path, "tests", "ChainInterop.StoreCrashWriter", relative, "ChainInterop.StoreCrashWriter.dll");
        Assert.True(File.Exists(dll), $"{dll} not found: build the solution (the test project builds it as a reference).");
        return dll;
    }

    private static void Parse(string text, Dictionary<ulong, Hash256> reported)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            ParseLine(line, reported);
        }
    }

    private static bool ParseLine(string line, Dictionary<ulong, Hash256> reported)
    {
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0] != "durable")
        {
            return false;
        }

        ulong height = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
        var hash = Hash256.Parse(parts[2]);
        if (reported.TryGetValue(height, out var earlier))
        {
            Assert.Equal(earlier, hash); // a later child must never rewrite a durable height
        }

        reported[height] = hash;
        return true;
    }

    private static async Task ReadDurableLinesAsync(Process child, int count, Dictionary<ulong, Hash256> reported)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        int seen = 0;
        while (seen < count)
        {
            var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The crash writer exited early: " + await child.StandardError.ReadToEndAsync());
            if (ParseLine(line, reported))
            {
                seen++;
            }
        }
    }

    private Process StartChild(FileStoreDurability durability, int seed)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CrashWriterPath());
        info.ArgumentList.Add(_directory.Path);
        info.ArgumentList.Add(durability.ToString());
        info.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the crash writer.");
    }

    private readonly ListLoggerFactory _logs = new();

    private FileBlockStore Open(ChainId chainId) =>
        FileStores.OpenPhysical(new FileStoreOptions { Path = _directory.Path, MaxSegmentSizeBytes = FileStoreOptions.MinSegmentSizeBytes }, chainId, _logs);

    private async Task AssertDurableBlocksAsync(DeterministicChain chain, Dictionary<ulong, Hash256> reported)
    {
        await using var store = Open(chain.ChainId);
        foreach (var (height, hash) in reported)
        {
            var byHeight = await store.GetAsync(height);
            Assert.True(byHeight is not null, $"durable block {height} is missing (tip {store.Tip?.Height})");
            Assert.Equal(hash, byHeight.Hash);
            Assert.NotNull(await store.GetAsync(hash));
        }
    }

    public void Dispose() => _directory.Dispose();
}
