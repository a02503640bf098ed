using System.Numerics;

namespace ChainInterop.Testing;

/// <summary>
/// Shrinkers for <c>Arb.From(generator, shrinker)</c> that stay inside the generator's domain, so a failing property
/// reports a small counterexample of the same shape instead of a case the generator could never produce.
/// </summary>
internal static class Shrink
{
    /// <summary>
    /// Shorter arrays first (never shorter than <paramref name="minLength"/>): the shortest prefix, each half, each
    /// element removed; then each element shrunk in place by <paramref name="element"/>.
    /// </summary>
    public static IEnumerable<T[]> Array<T>(T[] items, Func<T, IEnumerable<T>>? element = null, int minLength = 0)
    {
        if (items.Length > minLength)
        {
            yield return items[..minLength];
            int half = items.Length / 2;
            if (half > minLength)
            {
                yield return items[..half];
                if (items.Length - half > minLength)
                {
                    yield return items[half..];
                }
            }

            for (int i = 0; i < items.Length; i++)
            {
                yield return [.. items.AsSpan(0, i), .. items.AsSpan(i + 1)];
            }
        }

        if (element is null)
        {
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            foreach (var smaller in element(items[i]))
            {
                var copy = (T[])items.Clone();
                copy[i] = smaller;
                yield return copy;
            }
        }
    }

    /// <summary><paramref name="target"/> first, then values ever closer to <paramref name="value"/> (as FsCheck shrinks numbers).</summary>
    public static IEnumerable<T> Toward<T>(T value, T target)
        where T : IBinaryInteger<T>
    {
        // In 128 bits so that the distance between any two 64-bit values fits.
        var from = Int128.CreateChecked(value);
        var distance = from - Int128.CreateChecked(target);
        while (distance != 0)
        {
            yield return T.CreateChecked(from - distance);
            distance /= 2;
        }
    }
}
