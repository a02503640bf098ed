using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Benchmarks;

/// <summary>
/// TCP transport throughput between two processes on loopback, next to a raw socket loop that sends the same frame
/// bytes in the same run. The benchmark re-launches itself as the receiving child; each round times the transport
/// (signed handshake done beforehand, one <c>SendAsync</c> per message, CRC-32C on both sides, every message
/// through <c>Inbound</c> and released by the consumer) and the raw loop (the same framed bytes in 1 MiB socket
/// writes, the receiver only counts bytes), interleaved so both see the same machine; medians of the rounds are
/// reported, with the CPU time both processes used per round.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --transport [--rounds N] [--mb N] [--size BYTES] [--warmup-ms N] [--only 1|2]</c>
/// (<c>--only</c> times just the transport (1) or the raw loop (2), for a profiler).</remarks>
public static class TransportThroughput
{
    private const byte Begin = (byte)'B';
    private const byte Data = (byte)'D';
    private const byte Done = (byte)'E';
    private const int RawChunkBytes = 1024 * 1024;

    // The transport's wire format for messages (TcpTransport's internal WireFrame): frames of kind 2 holding records
    // (4-byte little-endian length, then the message), packed while the frame payload stays within 64 KiB.
    private const byte MessagesKind = 2;
    private const int RecordHeaderBytes = 4;
    private const int BatchPayloadBytes = 64 * 1024;
    private static readonly ChainId Chain = new("bench-chain");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(string[] args)
    {
        int rounds = PairedRatios.ArgValue(args, "--rounds", 7);
        int megabytes = PairedRatios.ArgValue(args, "--mb", 128);
        int onlySize = PairedRatios.ArgValue(args, "--size", 0); // one payload size instead of both (e.g. for a profiler)
        int warmUpMs = PairedRatios.ArgValue(args, "--warmup-ms", 5000);
        int only = PairedRatios.ArgValue(args, "--only", 0); // 1: time the transport only, 2: the raw loop only (for a profiler; no ratio)
        using var senderKey = SignatureSchemes.Ed25519.GenerateKey();
        using var receiverKey = SignatureSchemes.Ed25519.GenerateKey();
        using var child = StartChild(receiverKey, senderKey.PublicKey);
        var ready = (await child.StandardOutput.ReadLineAsync().WaitAsync(Timeout))?.Split(' ')
            ?? throw new InvalidOperationException("the receiver exited: " + await child.StandardError.ReadToEndAsync());
        int transportPort = int.Parse(ready[1], CultureInfo.InvariantCulture);
        int rawPort = int.Parse(ready[2], CultureInfo.InvariantCulture);

        await using var transport = TcpTransport.Start(new TcpTransportOptions
        {
            ChainId = Chain,
            NodeKey = senderKey,
            Peers = [new TcpPeer(receiverKey.PublicKey, new IPEndPoint(IPAddress.Loopback, transportPort))],
        });
        var receiver = NodeId.FromPublicKey(receiverKey.PublicKey);
        while ((await transport.ConnectionEvents.ReadAsync().AsTask().WaitAsync(Timeout)).Kind != ConnectionEventKind.Connected)
        {
        }

        using var raw = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await raw.ConnectAsync(new IPEndPoint(IPAddress.Loopback, rawPort));

        PrintByteCosts();
        Console.WriteLine($"# Transport throughput: 2 processes on loopback, {Environment.ProcessorCount} cores, {rounds} rounds of {megabytes} MB per frame size after {warmUpMs} ms of warm-up, plain TCP");
        Console.WriteLine("| frame payload | transport frames/s | transport MB/s | raw frames/s | raw MB/s | transport/raw (median of rounds) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (int size in onlySize > 0 ? new[] { onlySize } : new[] { 256, 64 * 1024 })
        {
            long count = (long)megabytes * 1024 * 1024 / size;
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            payload[0] = Data;
            var (rawChunk, rawBytes) = RawStream(payload, count);

            // Untimed rounds of each first, at least two and for at least --warmup-ms in all: tiered JIT (and
            // on-stack replacement of the hot loops) in both processes, TCP windows, pooled blocks. Two rounds alone
            // were not enough at 128 MB: the transport's 256 B rounds still fell from 0.39 s to 0.11 s while timed.
            var warming = Stopwatch.StartNew();
            for (int warmUp = 0; warmUp < 2 || warming.ElapsedMilliseconds < warmUpMs; warmUp++)
            {
                await TimeTransportAsync(transport, receiver, payload, count);
                await TimeRawAsync(raw, rawChunk, rawBytes);
            }

            var ours = new List<double>();
            var bound = new List<double>();
            var ratios = new List<double>();
            var oursCpu = new List<double>();
            var boundCpu = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                // A, B then B, A: drift in the machine's load hits both sides equally.
                double t = 0, r = 0, tc = 0, rc = 0;
                for (int turn = 0; turn < 2; turn++)
                {
                    double cpu = CpuSeconds(child);
                    if (only == 2 - ((round + turn) % 2))
                    {
                        continue; // profiling one loop: skip the other
                    }

                    if ((round + turn) % 2 == 0)
                    {
                        t = await TimeTransportAsync(transport, receiver, payload, count);
                        tc = CpuSeconds(child) - cpu;
                    }
                    else
                    {
                        r = await TimeRawAsync(raw, rawChunk, rawBytes);
                        rc = CpuSeconds(child) - cpu;
                    }
                }

                oursCpu.Add(tc);
                boundCpu.Add(rc);

                ours.Add(t);
                bound.Add(r);
                ratios.Add(r / t);
            }

            double tm = Median(ours), rm = Median(bound);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(size >= 1024 ? $"{size / 1024} KB" : $"{size} B")} | {count / tm:F0} | {count * (double)size / tm / 1e6:F0} | {count / rm:F0} | {count * (double)size / rm / 1e6:F0} | {Median(ratios):P0} |"));
            Console.WriteLine("<!-- transport s: " + string.Join(", ", ours.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))) +
                "; raw s: " + string.Join(", ", bound.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))) + " -->");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"<!-- CPU seconds (both processes) per round, median: transport {Median(oursCpu):F3}, raw {Median(boundCpu):F3}; cores busy: transport {Median(oursCpu) / tm:F2}, raw {Median(boundCpu) / rm:F2} -->"));
        }

        raw.Shutdown(SocketShutdown.Both);
        await child.StandardInput.WriteLineAsync("quit");
        await child.WaitForExitAsync().WaitAsync(Timeout);
    }

    /// <summary>What one pass over 64 KB costs here: the per-byte work the transport adds to the raw loop (CRC on both sides, copies).</summary>
    private static void PrintByteCosts()
    {
        var source = new byte[64 * 1024];
        var destination = new byte[64 * 1024];
        Random.Shared.NextBytes(source);
        uint sink = 0;
        // Twice each, the first as warm-up: the first passes run tier-0 code (slow, and slowest for vector code).
        double crc = Math.Max(Rate(() => sink ^= Crc32C.Compute(source)), Rate(() => sink ^= Crc32C.Compute(source)));
        double copy = Math.Max(Rate(() => source.AsSpan().CopyTo(destination)), Rate(() => source.AsSpan().CopyTo(destination)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# one pass over 64 KB: CRC-32C {crc / 1e9:F1} GB/s (AVX-512 VPCLMULQDQ: {(System.Runtime.Intrinsics.X86.Pclmulqdq.V512.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "yes" : "no")}), memcpy {copy / 1e9:F1} GB/s (checksum {sink & 1})"));
        var direct = typeof(System.IO.Pipelines.PipeWriter).Assembly.GetType("System.IO.Pipelines.StreamPipeWriter")?
            .GetMethod("WriteAsync", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly);
        Console.WriteLine($"# StreamPipeWriter overrides WriteAsync: {direct is not null}");

        static double Rate(Action pass)
        {
            for (int i = 0; i < 200; i++)
            {
                pass();
            }

            var watch = Stopwatch.StartNew();
            int n = 0;
            while (watch.ElapsedMilliseconds < 300)
            {
                pass();
                n++;
            }

            return n * 64.0 * 1024 / watch.Elapsed.TotalSeconds;
        }
    }

    /// <summary>The receiving child: a TCP transport and a raw listener, both counting what arrives and acknowledging each round.</summary>
    public static async Task RunChildAsync()
    {
        var keyHex = Console.ReadLine() ?? throw new InvalidOperationException("no key on stdin");
        var senderHex = Console.ReadLine() ?? throw new InvalidOperationException("no sender key on stdin");
        using var key = SignatureSchemes.Ed25519.ImportPrivateKey(Convert.FromHexString(keyHex));
        var sender = PublicKey.Create(SignatureAlgorithm.Ed25519, Convert.FromHexString(senderHex));
        await using var transport = TcpTransport.Start(new TcpTransportOptions
        {
            ChainId = Chain,
            NodeKey = key,
            ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Peers = [new TcpPeer(sender)],
            MaxInboundQueueMessages = 1 << 20,
        });
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Console.WriteLine($"READY {transport.ListenEndPoint!.Port} {((IPEndPoint)listener.LocalEndPoint!).Port}");

        var counting = CountTransportAsync(transport, NodeId.FromPublicKey(sender));
        var rawCounting = CountRawAsync(listener);
        await Console.In.ReadLineAsync(); // "quit" (or end of input when the parent dies)
        _ = counting;
        _ = rawCounting;
    }

    private static async Task CountTransportAsync(TcpTransport transport, NodeId sender)
    {
        long expected = -1, received = 0;
        var reader = transport.Inbound;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var message))
            {
                var span = message.Payload.Span;
                if (span[0] == Begin)
                {
                    expected = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
                    received = 0;
                    message.Release();
                }
                else
                {
                    message.Release(); // done with it, as an engine is once it has decoded a message
                    if (++received == expected)
                    {
                        await transport.SendAsync(sender, new[] { Done });
                    }
                }
            }
        }
    }

    private static async Task CountRawAsync(Socket listener)
    {
        using var socket = await listener.AcceptAsync();
        var buffer = new byte[RawChunkBytes];
        var header = new byte[8];
        while (true)
        {
            if (!await ReceiveExactlyAsync(socket, header))
            {
                return;
            }

            long left = BinaryPrimitives.ReadInt64LittleEndian(header);
            while (left > 0)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                if (n == 0)
                {
                    return;
                }

                left -= n;
            }

            await socket.SendAsync(new[] { Done }.AsMemory());
        }
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static async Task<double> TimeTransportAsync(TcpTransport transport, NodeId receiver, byte[] payload, long count)
    {
        var begin = new byte[9];
        begin[0] = Begin;
        BinaryPrimitives.WriteInt64LittleEndian(begin.AsSpan(1), count);
        var watch = Stopwatch.StartNew();
        await transport.SendAsync(receiver, begin);
        for (long i = 0; i < count; i++)
        {
            var space = transport.WaitForSendSpaceAsync(receiver);
            if (!space.IsCompleted)
            {
                await space;
            }

            await transport.SendAsync(receiver, payload);
        }

        var done = await transport.Inbound.ReadAsync().AsTask().WaitAsync(Timeout);
        if (done.Payload.Span[0] != Done)
        {
            throw new InvalidOperationException("unexpected message from the receiver");
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> TimeRawAsync(Socket socket, byte[] chunk, long bytes)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, bytes);
        var ack = new byte[1];
        var watch = Stopwatch.StartNew();
        await socket.SendAsync(header.AsMemory());
        for (long left = bytes; left > 0;)
        {
            int n = (int)Math.Min(chunk.Length, left);
            await socket.SendAsync(chunk.AsMemory(0, n));
            left -= n;
        }

        if (await socket.ReceiveAsync(ack.AsMemory()).AsTask().WaitAsync(Timeout) != 1)
        {
            throw new InvalidOperationException("the raw receiver closed");
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// About 1 MiB of the very frames the transport writes for <paramref name="payload"/> when the sender keeps its
    /// queue full (header, kind byte, as many length-prefixed records as fit a batch), and the byte count of
    /// <paramref name="count"/> messages sent so.
    /// </summary>
    private static (byte[] Chunk, long Bytes) RawStream(byte[] payload, long count)
    {
        int record = RecordHeaderBytes + payload.Length;
        int perFrame = Math.Max(1, (BatchPayloadBytes - 1) / record);
        int frameBytes = Frame.HeaderSizeBytes + 1 + perFrame * record;
        var chunk = new byte[Math.Max(RawChunkBytes / frameBytes, 1) * frameBytes];
        for (int offset = 0; offset + frameBytes <= chunk.Length; offset += frameBytes)
        {
            var frame = chunk.AsSpan(offset, frameBytes);
            frame[Frame.HeaderSizeBytes] = MessagesKind;
            for (int i = 0; i < perFrame; i++)
            {
                var slot = frame[(Frame.HeaderSizeBytes + 1 + (i * record))..];
                BinaryPrimitives.WriteInt32LittleEndian(slot, payload.Length);
                payload.CopyTo(slot[RecordHeaderBytes..]);
            }

            Frame.WriteHeader(frame, frame[Frame.HeaderSizeBytes..]);
        }

        long frames = (count + perFrame - 1) / perFrame;
        return (chunk, (frames * (Frame.HeaderSizeBytes + 1)) + (count * record));
    }

    private static Process StartChild(PrivateKey receiverKey, PublicKey senderKey)
    {
        var path = Environment.ProcessPath!;
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.FileName = path;
            start.ArgumentList.Add(typeof(TransportThroughput).Assembly.Location);
        }
        else
        {
            start.FileName = path;
        }

        start.ArgumentList.Add("--transport-child");
        var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the receiver");
        var secret = new byte[32];
        receiverKey.ExportPrivateKey(secret);
        child.StandardInput.WriteLine(Convert.ToHexString(secret));
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        child.StandardInput.WriteLine(Convert.ToHexString(senderKey.Bytes));
        child.StandardInput.Flush();
        return child;
    }

    /// <summary>CPU time used so far by this process and the receiving child, in seconds.</summary>
    private static double CpuSeconds(Process child)
    {
        child.Refresh();
        return (Process.GetCurrentProcess().TotalProcessorTime + child.TotalProcessorTime).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
