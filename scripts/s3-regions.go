// go run scripts/s3-regions.go (in a module requiring github.com/aws/aws-sdk-go v1.55.5) prints lib/s3-regions.ts's list.
package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go/aws/endpoints"
)

// The regions the distribution s3-aws driver accepts without a regionendpoint: every region of every default partition.
func main() {
	var regions []string
	for _, p := range endpoints.DefaultPartitions() {
		for r := range p.Regions() {
			regions = append(regions, r)
		}
	}
	sort.Strings(regions)
	out, _ := json.Marshal(regions)
	fmt.Println(string(out))
}
