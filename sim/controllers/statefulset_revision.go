package controllers

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/rand"
)

// stsRevision is the name of the ControllerRevision upstream's statefulset
// controller makes for the set's current spec (history.NewControllerRevision
// over statefulset getPatch), which its pods carry in the
// controller-revision-hash label: <set>-<hash>, the hash being FNV-32 of the
// revision's data — {"spec":{"template":{…,"$patch":"replace"}}} as
// encoding/json writes it, keys sorted — followed by the decimal collision
// count (0 when the status has none yet; treating nil differently from 0 is
// what made every new set replace pod -0 once its status was first written).
func stsRevision(ss *appsv1.StatefulSet) string {
	var collisions int32
	if ss.Status.CollisionCount != nil {
		collisions = *ss.Status.CollisionCount
	}
	h := fnv.New32()
	h.Write(stsPatch(ss))
	h.Write([]byte(strconv.FormatInt(int64(collisions), 10)))
	name := ss.Name
	if len(name) > 223 {
		name = name[:223]
	}
	return name + "-" + rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// stsPatch is the data of the set's revision: its pod template as a
// strategic-merge patch that replaces the whole template.
func stsPatch(ss *appsv1.StatefulSet) []byte {
	raw, err := json.Marshal(ss.Spec.Template)
	if err != nil {
		return nil
	}
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return nil
	}
	tmpl["$patch"] = "replace"
	out, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": tmpl}})
	return out
}
