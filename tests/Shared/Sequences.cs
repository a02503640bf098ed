using System.Buffers;

namespace ChainInterop.Testing;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s so that every parser can be fed the same bytes split at
/// any offset (STYLE.md: parsers are fed every split).
/// </summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        bounds.Add(data.Length);
        Segment? first = null;
        Segment? last = null;
        int from = 0;
        foreach (int to in bounds)
        {
            var segment = new Segment(data.AsMemory(from, to - from));
            if (first is null)
            {
                first = last = segment;
            }
            else
            {
                last = last!.Append(segment);
            }

            from = to;
        }

        if (first is null)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        // Add an empty segment at the end too: readers must cope with it.
        last = last!.Append(new Segment(ReadOnlyMemory<byte>.Empty));
        return new ReadOnlySequence<byte>(first, 0, last, 0);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
            return next;
        }
    }
}
