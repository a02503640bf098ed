using System.Globalization;

namespace ChainInterop.Testing;

/// <summary>
/// FsCheck.Xunit's <c>[Property]</c> (every member is FsCheck's: <c>Arbitrary</c>, <c>Replay</c>, <c>Verbose</c>, …),
/// with one addition: when <c>CHAININTEROP_PROPERTY_SCALE=N</c> is set, every property runs N times its
/// <see cref="MaxTest"/> cases (a longer run without editing the tests). A failing property prints
/// <c>Falsifiable, after N tests (M shrinks) (seed,gamma)</c>: <c>[Property(Replay = "(seed,gamma)")]</c> on it reruns
/// the same cases.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class PropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    public const string ScaleVariable = "CHAININTEROP_PROPERTY_SCALE";

    /// <summary>FsCheck's own default number of cases, run by a property that does not set <see cref="MaxTest"/>.</summary>
    private const int FsCheckDefaultMaxTest = 100;

    public PropertyAttribute()
    {
        if (Scale > 1)
        {
            base.MaxTest = FsCheckDefaultMaxTest * Scale;
        }
    }

    /// <summary>The number of cases FsCheck runs, times <c>CHAININTEROP_PROPERTY_SCALE</c> when that is set.</summary>
    public new int MaxTest
    {
        get => base.MaxTest;
        set => base.MaxTest = checked(value * Scale);
    }

    /// <summary>Read when xunit builds the attribute, i.e. when the run starts.</summary>
    private static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int scale) && scale > 0
            ? scale
            : 1;
}
