using System.Buffers;
using System.IO.Pipelines;
using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// The read loop of a connection, in the ASP.NET Core style: <c>ReadAsync</c> → <c>while (Frame.TryRead(…))</c>
/// → <c>AdvanceTo(consumed, examined)</c>. The frame limit is checked by <see cref="Frame.TryRead"/> from the header,
/// before the payload is buffered or allocated; a stream that ends inside a frame is a protocol violation.
/// </summary>
internal static class FrameReader
{
    /// <summary>Reads frames from <paramref name="input"/> and hands each payload to <paramref name="onFrame"/> until it says stop, a frame is bad, or the stream ends.</summary>
    /// <param name="input">The connection's input.</param>
    /// <param name="maxPayloadBytes">The largest payload accepted, in bytes.</param>
    /// <param name="onFrame">Handles one payload (valid only during the call).</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>Why reading stopped: <see cref="ConnectionCloseReason.None"/> when <paramref name="onFrame"/> asked to stop (unread bytes stay in <paramref name="input"/>).</returns>
    public static async ValueTask<FrameDecision> ReadFramesAsync(PipeReader input, int maxPayloadBytes,
        Func<ReadOnlySequence<byte>, FrameDecision> onFrame, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            bool stopped = false;
            try
            {
                while (true)
                {
                    var status = Frame.TryRead(ref buffer, maxPayloadBytes, out var payload);
                    if (status == FrameStatus.Complete)
                    {
                        consumed = buffer.Start;
                        var decision = onFrame(payload);
                        if (decision.Stop)
                        {
                            stopped = true;
                            return decision;
                        }

                        continue;
                    }

                    if (status == FrameStatus.NeedMoreData)
                    {
                        break;
                    }

                    stopped = true;
                    return status switch
                    {
                        FrameStatus.UnsupportedVersion => FrameDecision.Close(ConnectionCloseReason.UnsupportedFrameVersion, "unknown frame version or reserved byte"),
                        FrameStatus.TooLarge => FrameDecision.Close(ConnectionCloseReason.FrameTooLarge, $"declared length over the {maxPayloadBytes}-byte limit"),
                        _ => FrameDecision.Close(ConnectionCloseReason.ChecksumMismatch, "frame CRC-32C mismatch"),
                    };
                }

                if (result.IsCompleted)
                {
                    stopped = true;
                    return buffer.IsEmpty
                        ? FrameDecision.Close(ConnectionCloseReason.RemoteClosed, "end of stream")
                        : FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, $"stream ended inside a frame ({buffer.Length} bytes left)");
                }

                if (result.IsCanceled)
                {
                    stopped = true;
                    return FrameDecision.Close(ConnectionCloseReason.LocalShutdown, "read cancelled");
                }
            }
            finally
            {
                // Stopping early leaves whole unread frames behind: examined = consumed, so the next ReadAsync
                // returns them at once instead of waiting for more bytes.
                if (stopped)
                {
                    input.AdvanceTo(consumed);
                }
                else
                {
                    input.AdvanceTo(consumed, result.Buffer.End);
                }
            }
        }
    }
}

/// <summary>What the read loop does after a frame.</summary>
/// <param name="Stop">Whether to stop reading.</param>
/// <param name="Reason">When stopping, why (<see cref="ConnectionCloseReason.None"/>: the handler asked to stop; the connection lives on).</param>
/// <param name="Detail">Words for the log.</param>
internal readonly record struct FrameDecision(bool Stop, ConnectionCloseReason Reason, string? Detail)
{
    public static FrameDecision Continue => default;

    public static FrameDecision Pause => new(true, ConnectionCloseReason.None, null);

    public static FrameDecision Close(ConnectionCloseReason reason, string detail) => new(true, reason, detail);
}
