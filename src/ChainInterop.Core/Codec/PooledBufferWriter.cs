using System.Buffers;

namespace ChainInterop.Codec;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>, for
/// encoding without allocating: reuse one instance with <see cref="Reset"/> and <see cref="Dispose"/> it when done.
/// Not thread-safe.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int DefaultInitialCapacity = 256;

    private byte[] _buffer;
    private int _written;

    /// <summary>Creates a writer with room for at least <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">The initial capacity in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacity"/> is negative.</exception>
    public PooledBufferWriter(int initialCapacity = DefaultInitialCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
    }

    /// <summary>The bytes written since construction or the last <see cref="Reset"/>.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    /// <summary>The bytes written since construction or the last <see cref="Reset"/>; valid until the next write, <see cref="Reset"/> or <see cref="Dispose"/>.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been disposed.</exception>
    public ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, _written);

    /// <summary>The number of bytes written.</summary>
    public int WrittenCount => _written;

    /// <summary>The size of the current buffer.</summary>
    public int Capacity => _buffer.Length;

    private byte[] Buffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer.Length == 0 && _disposed, this);
            return _buffer;
        }
    }

    private bool _disposed;

    /// <summary>Forgets the written bytes and keeps the buffer for reuse.</summary>
    public void Reset() => _written = 0;

    /// <summary>Copies the written bytes into a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException($"Cannot advance {count} bytes past the {_buffer.Length - _written} available.");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if ((uint)sizeHint <= (uint)(_buffer.Length - _written) && sizeHint != 0)
        {
            return _buffer.AsSpan(_written);
        }

        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Returns the buffer to the pool; the writer cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void Ensure(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sizeHint == 0)
        {
            sizeHint = 1;
        }

        int available = _buffer.Length - _written;
        if (sizeHint <= available)
        {
            return;
        }

        long needed = (long)_written + sizeHint;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A buffer of {needed} bytes exceeds the largest array.");
        }

        long grown = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)grown);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
