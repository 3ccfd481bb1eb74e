package apiserver

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
)

// tableFormat is how kubectl get prints a resource: its columns and the
// cells of one object (the name comes first and is added here).
type tableFormat struct {
	columns []metav1.TableColumnDefinition
	cells   func(obj runtime.Object) []any
}

var _ interface {
	ConvertToTable(context.Context, runtime.Object, runtime.Object) (*metav1.Table, error)
} = (*view)(nil)

// ConvertToTable prints one object or a list as kubectl get shows it.
func (v *view) ConvertToTable(_ context.Context, obj runtime.Object, _ runtime.Object) (*metav1.Table, error) {
	t := &metav1.Table{ColumnDefinitions: append([]metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: "the workload's name, or kind.name where two kinds share it"},
	}, v.table.columns...)}
	add := func(o runtime.Object) error {
		m, err := meta.Accessor(o)
		if err != nil {
			return err
		}
		t.Rows = append(t.Rows, metav1.TableRow{Cells: append([]any{m.GetName()}, v.table.cells(o)...),
			Object: runtime.RawExtension{Object: o}})
		return nil
	}
	if meta.IsListType(obj) {
		items, err := meta.ExtractList(obj)
		if err != nil {
			return nil, fmt.Errorf("table of %T: %w", obj, err)
		}
		for _, o := range items {
			if err := add(o); err != nil {
				return nil, err
			}
		}
		if l, err := meta.ListAccessor(obj); err == nil {
			t.ResourceVersion, t.Continue = l.GetResourceVersion(), l.GetContinue()
		}
		return t, nil
	}
	return t, add(obj)
}

func column(name, typ, desc string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Description: desc}
}

// ago prints how long ago t was, as kubectl prints ages.
func ago(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<none>"
	}
	return duration.HumanDuration(now.Sub(t))
}
