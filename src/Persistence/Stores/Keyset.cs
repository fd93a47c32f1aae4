using System.Linq.Expressions;
using Hosting.Core.Shared;

namespace Hosting.Persistence.Stores;

/// <summary>
/// The keyset predicate of every list, stated once: the rows after a page token in (time, id)
/// order. Written as <c>time &gt;= t AND (time &gt; t OR id &gt; i)</c> (mirrored when descending),
/// the form both SQLite and PostgreSQL answer with a seek on an index ending with the id.
/// </summary>
internal static class Keyset
{
    private static readonly System.Reflection.MethodInfo CompareIds = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;

    /// <summary>The rows of <paramref name="query"/> after <paramref name="after"/>; all of them without a token.</summary>
    /// <typeparam name="TTime">The row's time: a <see cref="DateTimeOffset"/>, or a nullable one compared as C# lifts it.</typeparam>
    public static IQueryable<T> After<T, TTime>(
        this IQueryable<T> query, PageToken? after, Expression<Func<T, TTime>> time, Expression<Func<T, Guid>> id, bool descending = false)
    {
        if (after is not { } token)
        {
            return query;
        }

        var row = time.Parameters[0];
        var rowTime = time.Body;
        var rowId = new Rebind(id.Parameters[0], row).Visit(id.Body);

        // Read through a captured object, so that EF sends the bound as parameters, as it does for a closure.
        var bound = Expression.Constant(new Bound(token.Time, token.Id));
        Expression boundTime = Expression.Property(bound, nameof(Bound.Time));
        if (rowTime.Type != boundTime.Type)
        {
            boundTime = Expression.Convert(boundTime, rowTime.Type);
        }

        var idOrder = Expression.Call(rowId, CompareIds, Expression.Property(bound, nameof(Bound.Id)));
        var zero = Expression.Constant(0);
        var body = descending
            ? Expression.AndAlso(
                Expression.LessThanOrEqual(rowTime, boundTime),
                Expression.OrElse(Expression.LessThan(rowTime, boundTime), Expression.LessThan(idOrder, zero)))
            : Expression.AndAlso(
                Expression.GreaterThanOrEqual(rowTime, boundTime),
                Expression.OrElse(Expression.GreaterThan(rowTime, boundTime), Expression.GreaterThan(idOrder, zero)));
        return query.Where(Expression.Lambda<Func<T, bool>>(body, row));
    }

    private sealed record Bound(DateTimeOffset Time, Guid Id);

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
