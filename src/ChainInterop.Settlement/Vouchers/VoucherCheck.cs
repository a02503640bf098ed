namespace ChainInterop.Settlement.Vouchers;

/// <summary>The outcome of a check: valid, or a <see cref="VoucherFailure"/> code with a human-readable detail.</summary>
/// <param name="Failure">The code; <see cref="VoucherFailure.None"/> when valid.</param>
/// <param name="Detail">What failed, for logs (empty when valid); never parsed.</param>
public readonly record struct VoucherCheck(VoucherFailure Failure, string Detail)
{
    /// <summary>The valid outcome.</summary>
    public static VoucherCheck Valid => new(VoucherFailure.None, string.Empty);

    /// <summary>Whether the check passed.</summary>
    public bool IsValid => Failure == VoucherFailure.None;

    /// <summary>A failed outcome.</summary>
    /// <param name="failure">The code.</param>
    /// <param name="detail">What failed.</param>
    /// <returns>The outcome.</returns>
    public static VoucherCheck Fail(VoucherFailure failure, string detail) => new(failure, detail);

    /// <summary>"valid", or the code and detail.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsValid ? "valid" : $"{Failure}: {Detail}";
}

/// <summary>A value, or the reason it could not be made.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="Value">The value when <see cref="IsSuccess"/>.</param>
/// <param name="Check">Valid, or why there is no value.</param>
public readonly record struct VoucherResult<T>(T? Value, VoucherCheck Check)
    where T : class
{
    /// <summary>Whether there is a value.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Check.IsValid && Value is not null;

    /// <summary>The failure code (<see cref="VoucherFailure.None"/> on success).</summary>
    public VoucherFailure Failure => Check.Failure;
}

/// <summary>Makes <see cref="VoucherResult{T}"/> values.</summary>
public static class VoucherResult
{
    /// <summary>A success.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static VoucherResult<T> Ok<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, VoucherCheck.Valid);
    }

    /// <summary>A failure.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="check">Why there is no value; must not be valid.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="check"/> is valid.</exception>
    public static VoucherResult<T> Fail<T>(VoucherCheck check)
        where T : class =>
        check.IsValid ? throw new ArgumentException("A failure needs a failure code.", nameof(check)) : new(null, check);

    /// <summary>A failure.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="failure">The code.</param>
    /// <param name="detail">What failed.</param>
    /// <returns>The result.</returns>
    public static VoucherResult<T> Fail<T>(VoucherFailure failure, string detail)
        where T : class => Fail<T>(VoucherCheck.Fail(failure, detail));
}
