using System.ComponentModel;
using System.Globalization;

namespace ChainInterop;

/// <summary>
/// Converts an id from and to its text, so configuration binding (<c>IConfiguration.Bind</c>, options from
/// appsettings.json or environment variables) and other <see cref="TypeDescriptor"/> users read ids as plain strings.
/// Invalid text throws a <see cref="FormatException"/> that names what the text should have been.
/// </summary>
/// <typeparam name="T">The id type.</typeparam>
internal abstract class TextTypeConverter<T> : TypeConverter
    where T : struct
{
    /// <summary>What the text should be, for the message (e.g. "a valid chain id").</summary>
    protected abstract string Expected { get; }

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) => value switch
    {
        string text when TryParse(text, out var id) => id,
        string text => throw new FormatException($"'{(text.Length <= Identifier.MaxLength ? text : text[..Identifier.MaxLength] + "…")}' is not {Expected}."),
        _ => base.ConvertFrom(context, culture, value),
    };

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is T id ? Format(id) : base.ConvertTo(context, culture, value, destinationType);

    protected abstract bool TryParse(string text, out T id);

    protected abstract string Format(T id);
}

/// <summary>The text identifiers (<see cref="IIdentifier{TSelf}"/>): their own text.</summary>
/// <typeparam name="T">The identifier.</typeparam>
internal sealed class IdentifierTypeConverter<T> : TextTypeConverter<T>
    where T : struct, IIdentifier<T>
{
    protected override string Expected => $"a valid {T.Kind}";

    protected override bool TryParse(string text, out T id) => T.TryCreate(text, out id);

    protected override string Format(T id) => id.Value ?? string.Empty;
}

/// <summary>A <see cref="NodeId"/>: its 64 hex digits.</summary>
internal sealed class NodeIdTypeConverter : TextTypeConverter<NodeId>
{
    protected override string Expected => "a node id (64 hex digits)";

    protected override bool TryParse(string text, out NodeId id)
    {
        bool parsed = Crypto.Hash256.TryParse(text, out var hash);
        id = new NodeId(hash);
        return parsed;
    }

    protected override string Format(NodeId id) => id.ToString();
}
